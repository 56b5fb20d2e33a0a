using Pulseboard.Projection.Definitions;

namespace Pulseboard.Server.Alerts;

/// <summary>
/// The meeting of the two files an alert needs: a definition's <c>notify:</c> names (the definitions are shared) and
/// the server's notifiers (its configuration, with the secrets). <c>check --notifiers</c> and <c>serve</c> both ask.
/// </summary>
internal static class NotifierNames
{
    /// <summary>
    /// Every <c>notify:</c> name of every alert that <paramref name="notifiers"/> does not have, as a definition problem
    /// with its file, line and the names there are; none when every name is known.
    /// </summary>
    /// <param name="dashboards">The definitions, with their alerts.</param>
    /// <param name="notifiers">The server's notifiers.</param>
    /// <param name="origin">Where the notifiers came from, for the message: the file, or "no --notifiers".</param>
    public static IReadOnlyList<DefinitionError> Unknown(IEnumerable<DashboardDefinition> dashboards, NotifierSet notifiers, string origin)
    {
        var known = notifiers.Names.Order(StringComparer.Ordinal).ToList();
        var there = known.Count == 0 ? $"{origin} has no notifiers" : $"{origin} has {string.Join(", ", known)}";
        var problems = new List<DefinitionError>();
        foreach (var dashboard in dashboards)
        {
            foreach (var alert in dashboard.Alerts)
            {
                foreach (var name in alert.Notify.Where(n => !notifiers.Names.Contains(n)))
                {
                    problems.Add(new DefinitionError(Path.GetFileName(dashboard.Path), alert.NotifyLine, $"alerts.{alert.Name}.notify",
                        $"\"{name}\" is not a notifier: {there}; add it there, or name one of those"));
                }
            }
        }
        return problems;
    }
}
