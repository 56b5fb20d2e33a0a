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

    /// <summary>Whether <paramref name="e"/> matches.</summary>
    public bool IsMatch(ProjectedEvent e) =>
        Dashboard.IsMatch(e.Dashboard)
        && (section is null || section.IsMatch(e.Section))
        && (Action is null || Action.IsMatch(e.Action))
        && (source is null || (e.Source is not null && source.IsMatch(e.Source)))
        && (priority is null || e.Priority >= priority);

    /// <summary>Whether <paramref name="e"/>'s dashboard, section and action match: all <see cref="IsMatch"/> asks but source and priority.</summary>
    internal bool IsAddressMatch(ProjectedEvent e) =>
        Dashboard.IsMatch(e.Dashboard)
        && (section is null || section.IsMatch(e.Section))
        && (Action is null || Action.IsMatch(e.Action));

    /// <summary>True when the matcher names a source or a priority, which vary between events to the same address.</summary>
    internal bool ChecksSourceOrPriority => source is not null || priority is not null;

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
