using System.CommandLine;
using Pulseboard.Log;
using Pulseboard.Projection;

namespace Pulseboard.Cli.Commands;

/// <summary>
/// <c>pulseboard project --once</c> (the cron job: brings every cache up to the log's end) and
/// <c>pulseboard rebuild [id…]</c> (forgets caches and replays the log into them, with progress).
/// </summary>
internal static class ProjectCommand
{
    public static Command CreateProject(Option<string> data, Option<string> dashboards, JetStreamLog log)
    {
        var once = new Option<bool>("--once") { Description = "Bring the caches up to the log's end and exit (for cron; a running server does this continuously)" };
        var output = new Option<string?>("--out") { Description = "Also refresh the caches of a static site made by pulseboard export" };
        var command = new Command("project", "Bring every dashboard's cache up to the end of the log") { once, output };
        command.SetAction(async (parsed, cancellationToken) =>
        {
            if (!parsed.GetValue(once))
            {
                await Console.Error.WriteLineAsync("pulseboard project: give --once (one cycle, for cron).").ConfigureAwait(false);
                return ExitCodes.BadInput;
            }
            var code = await RunAsync(parsed.GetValue(data)!, parsed.GetValue(dashboards)!, [], "project", cancellationToken, log.Read(parsed)).ConfigureAwait(false);
            if (code != ExitCodes.Failed && parsed.GetValue(output) is { } site)
            {
                var ids = Pulseboard.Server.Export.StaticSite.RefreshCaches(parsed.GetValue(data)!, site, DateTimeOffset.UtcNow);
                Console.WriteLine($"{ids.Count} caches refreshed in {Path.GetFullPath(site)}");
            }
            return code;
        });
        return command;
    }

    public static Command CreateRebuild(Option<string> data, Option<string> dashboards, JetStreamLog log)
    {
        var ids = new Argument<string[]>("id") { Description = "The dashboards to rebuild; all when none", Arity = ArgumentArity.ZeroOrMore };
        var command = new Command("rebuild", "Rebuild caches from the log (all, or the dashboards named); the log only holds what retention kept") { ids };
        command.SetAction((parsed, cancellationToken) =>
            RunAsync(parsed.GetValue(data)!, parsed.GetValue(dashboards)!, parsed.GetValue(ids) ?? [], "rebuild", cancellationToken, log.Read(parsed)));
        return command;
    }

    /// <summary>One projection run over the file log under <paramref name="data"/>, or the JetStream log of <paramref name="jetStreamOptions"/>.</summary>
    internal static async Task<int> RunAsync(string data, string dashboards, string[] rebuild, string name, CancellationToken cancellationToken, Pulseboard.Log.JetStream.JetStreamEventLogOptions? jetStreamOptions = null)
    {
        IEventLogReader log;
        if (jetStreamOptions is not null)
        {
            if (await JetStreamLog.OpenAsync(name, jetStreamOptions, cancellationToken).ConfigureAwait(false) is not { } jetStream)
            {
                return ExitCodes.Failed;
            }
            log = jetStream;
        }
        else
        {
            log = new FileEventLogReader(data);
        }
        await using var _ = log.ConfigureAwait(false);
        Projector projector;
        try
        {
            projector = Projector.Open(new ProjectorOptions { DataDirectory = data, DashboardsDirectory = dashboards, Logger = new StderrLogger(name) }, log);
        }
        catch (LogLockedException ex)
        {
            await Console.Error.WriteLineAsync($"pulseboard {name}: {ex.Message}").ConfigureAwait(false);
            return ExitCodes.Failed;
        }
        using (projector)
        {
            if (name == "rebuild")
            {
                try
                {
                    projector.Reset(rebuild);
                }
                catch (ArgumentException ex)
                {
                    await Console.Error.WriteLineAsync($"pulseboard rebuild: {ex.Message}").ConfigureAwait(false);
                    return ExitCodes.BadInput;
                }
            }
            var end = log.End;
            var progress = new ProgressLine(name, log.Start, end);
            long events = 0, applied = 0, written = 0;
            CycleResult cycle;
            try
            {
                do
                {
                    cycle = projector.RunOnce(log, progress, cancellationToken);
                    (events, applied, written) = (events + cycle.Events, applied + cycle.Applied, written + cycle.CachesWritten);
                }
                while (cycle.Position < end && cycle.Events > 0);
            }
            catch (IOException ex)
            {
                // The log did not answer (a NATS server down, an election) or could not be read: one line, exit 1, and
                // the command run again goes on from where the caches are.
                progress.Done();
                await Console.Error.WriteLineAsync($"pulseboard {name}: {TailCommand.OneLine(ex.Message)} The caches are not up to date: run it again once the log answers.").ConfigureAwait(false);
                return ExitCodes.Failed;
            }
            progress.Done();
            Console.WriteLine($"{events:N0} events read, {applied:N0} applied, {written} cache writes; caches are at seq {cycle.Position:N0}");
            return projector.Definitions.Errors.Count == 0 ? ExitCodes.Ok : ExitCodes.BadInput;
        }
    }
}
