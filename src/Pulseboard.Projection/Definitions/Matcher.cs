namespace Pulseboard.Projection.Definitions;

/// <summary>
/// One <c>from:</c> entry: which events feed a section. Globs on dashboard, section, action and source; a priority
/// means "at least". An absent field matches anything (dashboard defaults to the definition's own id).
/// </summary>
internal sealed class Matcher(Glob dashboard, Glob? section, Glob? action, Glob? source, Priority? priority)
{
    /// <summary>The dashboard glob.</summary>
    public Glob Dashboard { get; } = dashboard;

    /// <summary>The action glob, when the matcher has one.</summary>
    public Glob? Action { get; } = action;

    /// <summary>The section glob, when the matcher has one.</summary>
    internal Glob? Section => section;

    /// <summary>The source glob, when the matcher has one.</summary>
    internal Glob? Source => source;

    /// <summary>The least priority, when the matcher has one.</summary>
    internal Priority? Priority => priority;

    /// <summary>Whether <paramref name="e"/> matches.</summary>
    public bool IsMatch(ProjectedEvent e) => IsMatch(e.Dashboard, e.Section, e.Action, e.Source, e.Priority);

    /// <summary>Whether an event with these fields matches.</summary>
    internal bool IsMatch(string dashboard, string section, string action, string? source, Priority priority) =>
        IsAddressMatch(dashboard, section, action)
        && (Source is null || (source is not null && Source.IsMatch(source)))
        && (Priority is null || priority >= Priority);

    /// <summary>Whether the dashboard, section and action match: all <see cref="IsMatch(ProjectedEvent)"/> asks but source and priority.</summary>
    internal bool IsAddressMatch(string dashboard, string section, string action) =>
        Dashboard.IsMatch(dashboard)
        && (Section is null || Section.IsMatch(section))
        && (Action is null || Action.IsMatch(action));

    /// <summary>True when the matcher names a source or a priority, which vary between events to the same address.</summary>
    internal bool ChecksSourceOrPriority => Source is not null || Priority is not null;

    /// <summary>
    /// The matcher in words, for a page that says what feeds a section: <c>events to costs/alerts with action
    /// budget_*</c>, <c>events to any dashboard with priority high or above</c>. Globs are shown as written.
    /// </summary>
    public string ToWords()
    {
        var words = new System.Text.StringBuilder("events to ");
        words.Append(Dashboard.Pattern == "*" ? "any dashboard" : Dashboard.Pattern);
        if (section is not null)
        {
            words.Append('/').Append(section.Pattern);
        }
        if (Action is not null)
        {
            words.Append(" with action ").Append(Action.Pattern);
        }
        if (source is not null)
        {
            words.Append(" from source ").Append(source.Pattern);
        }
        if (priority is { } p)
        {
            words.Append(" with priority ").Append(p.ToWire()).Append(" or above");
        }
        return words.ToString();
    }

    /// <summary>The matcher as YAML would write it, for the definition's hash and messages.</summary>
    public override string ToString() =>
        $"{{dashboard:{Dashboard},section:{section},action:{Action},source:{source},priority:{priority?.ToWire()}}}";
}
