namespace Pulseboard.Projection;

/// <summary>
/// What a projector keeps from one event to the next to read them cheaply: the names it routes by, the keys sections
/// file items under (both interned by their bytes), and the scratch array of the last event's content index.
/// </summary>
/// <remarks>Owned by one projector thread.</remarks>
internal sealed class ProjectionNames
{
    /// <summary>Dashboards, sections, actions and sources: few, and bounded, so they keep their ids for routing.</summary>
    public Utf8Names Names { get; } = new();

    /// <summary>Keys of feed items, table rows and heartbeat sources: may be many, so the table starts over when full.</summary>
    public Utf8Names Keys { get; } = new(forgetWhenFull: true);

    /// <summary>The content index of <see cref="ScratchOwner"/>, the event read last.</summary>
    public int[] Scratch { get; set; } = new int[64];

    public ProjectedEvent? ScratchOwner { get; set; }
}
