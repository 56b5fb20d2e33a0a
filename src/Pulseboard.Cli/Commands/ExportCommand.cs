using System.CommandLine;
using System.Diagnostics;
using Pulseboard.Server.Export;

namespace Pulseboard.Cli.Commands;

/// <summary>
/// <c>pulseboard export OUT</c>: a static site of the dashboards for any static host (the seed's "deploy to
/// Cloudflare Pages"); <c>pulseboard project --once --out OUT</c> keeps its caches fresh from cron.
/// </summary>
internal static class ExportCommand
{
    public static Command Create(Option<string> data, Option<string> dashboards, JetStreamLog log)
    {
        var output = new Argument<string>("out") { Description = "The folder to write the site to" };
        var headers = new Option<bool>("--headers") { Description = "Also write _headers (cache and security headers for Cloudflare-style hosts)" };
        var command = new Command("export", "Write a static site: the index, a page per dashboard, the renderer's assets and the caches") { output, headers };
        command.SetAction(async (parsed, cancellationToken) =>
        {
            var dataDirectory = parsed.GetValue(data)!;
            if (Pulseboard.Client.HttpTransportOptions.FindServer(dataDirectory) is null)
            {
                // No server keeps the caches fresh: bring them up to the log's end first.
                var code = await ProjectCommand.RunAsync(dataDirectory, parsed.GetValue(dashboards)!, [], "export", cancellationToken, log.Read(parsed)).ConfigureAwait(false);
                if (code == ExitCodes.Failed)
                {
                    return code;
                }
            }
            var started = Stopwatch.GetTimestamp();
            var site = parsed.GetValue(output)!;
            try
            {
                var ids = StaticSite.Write(Path.Combine(AppContext.BaseDirectory, "renderer"), dataDirectory, site, DateTimeOffset.UtcNow, parsed.GetValue(headers));
                Console.WriteLine($"exported {ids.Count} dashboards to {Path.GetFullPath(site)} in {Stopwatch.GetElapsedTime(started).TotalMilliseconds:F0} ms; refresh it with: pulseboard project --once --out {site}");
            }
            catch (FileNotFoundException ex)
            {
                await Console.Error.WriteLineAsync($"pulseboard export: {ex.Message}").ConfigureAwait(false);
                return ExitCodes.Failed;
            }
            return ExitCodes.Ok;
        });
        return command;
    }
}
