namespace Pulseboard;

/// <summary>What became of one appended event.</summary>
/// <param name="Position">The event's <c>seq</c> in the log: new, or the original one for a duplicate id; 0 when rejected.</param>
/// <param name="Duplicate">True when the log already held an event with this id, which it acknowledged without storing it again.</param>
/// <param name="Error">Why the event was rejected; null when it is in the log (or spooled for it).</param>
/// <param name="Spooled">True when the server could not be reached and the event waits in the client's disk spool; its position is not known yet.</param>
public readonly record struct AppendOutcome(long Position, bool Duplicate, EventError? Error, bool Spooled = false)
{
    /// <summary>True when the event is in the log (new or duplicate), or safe in the spool on its way there.</summary>
    public bool Stored => Error is null;

    /// <summary>An event stored at <paramref name="position"/>.</summary>
    public static AppendOutcome At(long position) => new(position, false, null);

    /// <summary>A duplicate of the event stored at <paramref name="position"/>.</summary>
    public static AppendOutcome DuplicateOf(long position) => new(position, true, null);

    /// <summary>An event kept in the client's spool until the server is reachable.</summary>
    public static AppendOutcome InSpool { get; } = new(0, false, null, true);

    /// <summary>An event rejected for <paramref name="error"/>.</summary>
    public static AppendOutcome Rejected(EventError error) => new(0, false, error);
}
