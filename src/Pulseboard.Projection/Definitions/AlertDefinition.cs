using Pulseboard.Projection.Sections;

namespace Pulseboard.Projection.Definitions;

/// <summary>
/// One entry of a definition's <c>alerts:</c> map: when it holds (<see cref="When"/>), whom to tell
/// (<see cref="Notify"/>), how long it must hold first (<see cref="For"/>) and how often to remind
/// (<see cref="Repeat"/>). The server evaluates it; the definition only says it.
/// </summary>
internal sealed class AlertDefinition
{
    /// <summary>The alert's name: its key under <c>alerts:</c>, a slug.</summary>
    public required string Name { get; init; }

    /// <summary>The dashboard whose definition holds it.</summary>
    public required string Dashboard { get; init; }

    /// <summary>The condition.</summary>
    public required AlertWhen When { get; init; }

    /// <summary>Notifier names (configured on the server, not in definitions); at least one.</summary>
    public required IReadOnlyList<string> Notify { get; init; }

    /// <summary>The line of its <c>notify:</c> in the definition file, for a message about a name in it.</summary>
    public int NotifyLine { get; init; }

    /// <summary>How long the condition must hold before the alert fires; zero (the default) fires at once.</summary>
    public TimeSpan For { get; init; }

    /// <summary>While firing, a reminder is sent this often; null (the default) for none.</summary>
    public TimeSpan? Repeat { get; init; }

    /// <summary>The section the alert watches; null for an event alert.</summary>
    public string? Section => When switch
    {
        StatusWhen s => s.Section.Id,
        ValueWhen v => v.Section.Id,
        _ => null,
    };
}

/// <summary>An alert's <c>when:</c>.</summary>
internal abstract record AlertWhen;

/// <summary><c>{section, status: down|late}</c>: a heartbeat source is down (or late or down); one alert per source.</summary>
/// <param name="Section">The heartbeat section.</param>
/// <param name="Status"><see cref="HeartbeatStatus.Down"/>, or <see cref="HeartbeatStatus.Late"/> for late or worse.</param>
internal sealed record StatusWhen(HeartbeatSection Section, HeartbeatStatus Status) : AlertWhen;

/// <summary><c>{section, above: n}</c> and/or <c>below: n</c>: the section's number is past a line (strictly).</summary>
/// <param name="Section">A section with a number: a stat with a value, a counter, a timeseries (its latest point), a daily (today).</param>
/// <param name="Above">Fires while the number is greater than this.</param>
/// <param name="Below">Fires while the number is less than this.</param>
internal sealed record ValueWhen(SectionPlan Section, double? Above, double? Below) : AlertWhen
{
    /// <summary>Whether <paramref name="value"/> is past a line.</summary>
    public bool Holds(double value) => (Above is { } a && value > a) || (Below is { } b && value < b);
}

/// <summary><c>{event: matcher}</c>: every event the matcher takes notifies once.</summary>
/// <param name="Matcher">The matcher, in the syntax of <c>from:</c> (the dashboard defaults to the definition's own).</param>
internal sealed record EventWhen(Matcher Matcher) : AlertWhen;
