namespace Pulseboard.Projection.Sections;

/// <summary>
/// Where a section's numbers for <c>/metrics</c> go (<see cref="ISectionKind.Sample"/>); the server names the series
/// and labels them with the dashboard, the section and its kind.
/// </summary>
internal interface ISampleSink
{
    /// <summary>The section's current number: <c>pulseboard_section_value</c>.</summary>
    void Value(double value);

    /// <summary>How many events the section counted: <c>pulseboard_section_events_total</c>.</summary>
    void Count(double events);

    /// <summary>The section's latest day (<c>yyyy-MM-dd</c>) and its value: a <c>pulseboard_section_value</c> while that day is today.</summary>
    void Day(string day, double value);

    /// <summary>When a source was last seen: <c>pulseboard_heartbeat_last_seen_timestamp_seconds</c>, up to a cap per section.</summary>
    void LastSeen(string source, DateTimeOffset last);
}
