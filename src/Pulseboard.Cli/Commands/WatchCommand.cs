using System.CommandLine;
using Pulseboard.Cli.Watch;
using Pulseboard.Client;
using Pulseboard.Projection.Definitions;

namespace Pulseboard.Cli.Commands;

/// <summary>
/// <c>pulseboard watch</c>: reports local model servers (llama.cpp, Ollama, OpenAI-compatible) as heartbeats, one
/// event per model per round, without running any inference; through the C# client, so a Pulseboard that is down
/// costs nothing but a spool on disk.
/// </summary>
internal static class WatchCommand
{
    public static Command Create(Option<string> data, JetStreamLog log)
    {
        var llama = new Option<string[]>("--llama") { Description = "A llama.cpp server (llama-server) to watch, e.g. http://127.0.0.1:8080; repeat for several", AllowMultipleArgumentsPerToken = true };
        var ollama = new Option<string[]>("--ollama") { Description = "An Ollama server to watch, e.g. http://127.0.0.1:11434; repeat for several", AllowMultipleArgumentsPerToken = true };
        var openai = new Option<string[]>("--openai") { Description = "An OpenAI-compatible server to watch (its /v1/models), e.g. http://127.0.0.1:8000; repeat for several", AllowMultipleArgumentsPerToken = true };
        var every = new Option<string>("--every") { Description = "How often a round runs: 15s, 1m…", DefaultValueFactory = _ => "15s" };
        var url = new Option<string?>("--url") { Description = "The Pulseboard server; default the one running on --data, else http://127.0.0.1:5080" };
        var dashboard = new Option<string>("--dashboard") { Description = "The dashboard the heartbeats go to", DefaultValueFactory = _ => "fleet" };
        var section = new Option<string>("--section") { Description = "The section the heartbeats go to", DefaultValueFactory = _ => "models" };
        var token = new Option<string?>("--token") { Description = "Bearer token for a server that has tokens (or set PULSEBOARD_TOKEN)" };
        var spool = new Option<string?>("--spool") { Description = "Where heartbeats wait while the server is down; default <data>/spool/watch" };
        var once = new Option<bool>("--once") { Description = "Run one round, deliver (or spool) it, and exit" };
        var command = new Command("watch", "Report local model servers (llama.cpp, Ollama, OpenAI-compatible) as heartbeats, without inference; they go to a server over HTTP (--url), so --log is the server's business, not watch's")
        {
            llama, ollama, openai, every, url, dashboard, section, token, spool, once,
        };
        command.SetAction(async (parsed, cancellationToken) =>
        {
            var errors = new List<string>();
            var targets = new List<WatchTarget>();
            void Add(string kind, string name, string[]? values)
            {
                foreach (var value in values ?? [])
                {
                    if (Uri.TryCreate(value, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https")
                    {
                        targets.Add(new WatchTarget(kind, uri));
                    }
                    else
                    {
                        errors.Add($"{name} {EventRules.Quote(value)}: not an http(s) URL; give e.g. http://127.0.0.1:8080");
                    }
                }
            }
            Add("llama.cpp", "--llama", parsed.GetValue(llama));
            Add("ollama", "--ollama", parsed.GetValue(ollama));
            Add("openai", "--openai", parsed.GetValue(openai));
            if (parsed.GetValue(log.Log) is not null)
            {
                errors.Add("--log: watch sends heartbeats to a server over HTTP (--url), not to the log; give --log to that server's serve");
            }
            if (targets.Count == 0 && errors.Count == 0)
            {
                errors.Add("nothing to watch: give --llama URL, --ollama URL or --openai URL (each may repeat)");
            }
            if (!Durations.TryParse(parsed.GetValue(every)!, out var interval) || interval < TimeSpan.FromSeconds(1))
            {
                errors.Add($"--every {EventRules.Quote(parsed.GetValue(every)!)}: give a duration of at least 1s, e.g. 15s or 1m");
            }
            var (dashboardId, sectionId) = (parsed.GetValue(dashboard)!, parsed.GetValue(section)!);
            if (!EventRules.IsSlug(dashboardId) || !EventRules.IsSlug(sectionId))
            {
                errors.Add($"--dashboard and --section must be slugs ({EventRules.SlugPattern})");
            }
            Uri? server = null;
            if (parsed.GetValue(url) is { } given && !Uri.TryCreate(given, UriKind.Absolute, out server))
            {
                errors.Add($"--url {EventRules.Quote(given)}: not a URL; give e.g. http://127.0.0.1:5080");
            }
            if (errors.Count > 0)
            {
                foreach (var error in errors)
                {
                    await Console.Error.WriteLineAsync($"pulseboard watch: {error}").ConfigureAwait(false);
                }
                return ExitCodes.BadInput;
            }
            var dataDirectory = parsed.GetValue(data)!;
            server ??= HttpTransportOptions.FindServer(dataDirectory) ?? new Uri("http://127.0.0.1:5080");
            var spoolDirectory = parsed.GetValue(spool) ?? Path.Combine(dataDirectory, "spool", "watch");
            await using var client = new PulseboardClient(new HttpTransport(new HttpTransportOptions
            {
                Server = server,
                Token = parsed.GetValue(token) ?? Environment.GetEnvironmentVariable("PULSEBOARD_TOKEN"),
                SpoolDirectory = spoolDirectory,
            }), new PulseboardClientOptions { OnError = error => Console.Error.WriteLine($"pulseboard watch: {error.Message}") });
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(Math.Clamp(interval.TotalSeconds, 1, 10)) };
            var watcher = new ModelWatcher(targets, http, dashboardId, sectionId);
            static void Print(List<ModelReport> reports)
            {
                foreach (var r in reports)
                {
                    Console.WriteLine($"{r.Name} ({r.Kind} {r.Server}): {r.Status}{(r.TokensPerSecond is { } t ? $", {t:0.#} tok/s" : "")}{(r.MemoryMb is { } m ? $", {m} MB" : "")}{(r.Error is { } e ? $": {e}" : "")}");
                }
            }
            if (parsed.GetValue(once))
            {
                var reports = await watcher.RoundAsync(cancellationToken).ConfigureAwait(false);
                watcher.Append(client, reports);
                Print(reports);
                await client.FlushAsync(cancellationToken).ConfigureAwait(false);
                Console.WriteLine($"{reports.Count} heartbeats to {server}{(client.Failed > 0 ? $", {client.Failed} lost" : "")}; any the server could not take now wait in {spoolDirectory}");
                return client.Rejected + client.Failed > 0 ? ExitCodes.Failed : ExitCodes.Ok;
            }
            Console.WriteLine($"Watching {targets.Count} model server(s) every {parsed.GetValue(every)}; heartbeats to {server} ({dashboardId}/{sectionId}), spooled in {spoolDirectory} while it is down. Ctrl+C stops.");
            try
            {
                await watcher.RunAsync(client, interval, TimeProvider.System, Print, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
            }
            return ExitCodes.Ok;
        });
        return command;
    }
}
