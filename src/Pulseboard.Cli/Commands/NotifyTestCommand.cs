using System.CommandLine;
using Pulseboard.Server.Alerts;

namespace Pulseboard.Cli.Commands;

/// <summary>
/// <c>pulseboard notify-test --notifiers FILE NAME</c>: sends one "test" notice to a notifier, through the SSRF guard as a
/// real notice goes, and prints the answer. Exits 0 when the receiver took it, 1 when it failed, 2 on bad input or a
/// refused address.
/// </summary>
internal static class NotifyTestCommand
{
    public static Command Create()
    {
        var notifiers = NotifiersOption.Create();
        var name = new Argument<string>("NAME") { Description = "The notifier to test, as named in notifiers.yaml" };
        var command = new Command("notify-test", "Send one test notice to a notifier of notifiers.yaml and print its answer") { notifiers, name };
        command.SetAction(async (parsed, cancellationToken) =>
        {
            if (NotifiersOption.Path(parsed, notifiers) is not { } path)
            {
                await Console.Error.WriteLineAsync($"pulseboard notify-test: give --notifiers FILE (or set {NotifiersOption.Variable})").ConfigureAwait(false);
                return ExitCodes.BadInput;
            }
            var set = NotifierSet.Load(path);
            foreach (var error in set.Errors)
            {
                await Console.Error.WriteLineAsync(error.ToString()).ConfigureAwait(false);
            }
            var wanted = parsed.GetValue(name)!;
            if (set.Find(wanted) is not { } notifier)
            {
                await Console.Error.WriteLineAsync($"pulseboard notify-test: no notifier named \"{wanted}\" in {path}{(set.Names.Count > 0 ? $"; it has {string.Join(", ", set.Names)}" : "")}").ConfigureAwait(false);
                return ExitCodes.BadInput;
            }
            var now = DateTimeOffset.UtcNow;
            var notice = new AlertNotice(
                $"test-{Guid.NewGuid():N}", "firing", "test", "pulseboard", null, new Dictionary<string, string>(),
                $"A test notice from pulseboard notify-test: notifier {notifier.Name} works", now, null, "/", [notifier.Name]);
            using var sender = new NoticeSender();
            var result = await sender.SendAsync(notifier, notice, cancellationToken).ConfigureAwait(false);
            Console.WriteLine($"{notifier}: {(result.Delivered ? "delivered" : "failed")}: {result.Detail}");
            return result.Delivered ? ExitCodes.Ok : result.Refused ? ExitCodes.BadInput : ExitCodes.Failed;
        });
        return command;
    }
}
