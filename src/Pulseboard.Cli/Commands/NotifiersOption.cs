using System.CommandLine;
using Pulseboard.Server.Alerts;

namespace Pulseboard.Cli.Commands;

/// <summary><c>--notifiers FILE</c> (or <c>PULSEBOARD_NOTIFIERS</c>): notifiers.yaml, shared by serve, check and notify-test.</summary>
internal static class NotifiersOption
{
    public const string Variable = "PULSEBOARD_NOTIFIERS";

    public static Option<string?> Create() => new("--notifiers")
    {
        Description = $"notifiers.yaml: where alert notices go (webhook, slack, ntfy, alertmanager); or set {Variable}",
    };

    /// <summary>The file given, else the environment's, else null.</summary>
    public static string? Path(ParseResult parsed, Option<string?> option) =>
        parsed.GetValue(option) ?? (Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } env ? env : null);

    /// <summary>
    /// Prints every problem of the file, then asks the SSRF guard about each notifier's address; the count of problems
    /// (a refused address is one; a name that does not resolve here is only a warning: check may run offline).
    /// </summary>
    public static async Task<(NotifierSet Set, int Problems)> CheckAsync(string path, string command, CancellationToken cancellationToken)
    {
        var set = NotifierSet.Load(path);
        foreach (var error in set.Errors)
        {
            await Console.Error.WriteLineAsync(error.ToString()).ConfigureAwait(false);
        }
        var problems = set.Errors.Count;
        foreach (var notifier in set.Notifiers)
        {
            try
            {
                await SsrfGuard.ResolveAsync(notifier.Url.Host, notifier.AllowPrivate, cancellationToken).ConfigureAwait(false);
                Console.WriteLine($"ok  notifier {notifier.Name}: {notifier.KindName} {notifier.Url.GetLeftPart(UriPartial.Authority)}{(notifier.AllowPrivate ? " (allow_private)" : "")}");
            }
            catch (NotifierRefusedException ex) when (ex.Unresolved)
            {
                await Console.Error.WriteLineAsync($"pulseboard {command}: warning: notifier {notifier.Name}: {ex.Message}").ConfigureAwait(false);
            }
            catch (NotifierRefusedException ex)
            {
                await Console.Error.WriteLineAsync($"pulseboard {command}: notifier {notifier.Name}: {ex.Message}").ConfigureAwait(false);
                problems++;
            }
        }
        return (set, problems);
    }
}
