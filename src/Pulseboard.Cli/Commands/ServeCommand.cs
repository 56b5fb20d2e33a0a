using System.CommandLine;
using Microsoft.Extensions.Hosting;
using Pulseboard.Log;
using Pulseboard.Projection.Definitions;
using Pulseboard.Server;

namespace Pulseboard.Cli.Commands;

/// <summary><c>pulseboard serve</c>: ingest over HTTP, the continuous projector, and the caches with ETags.</summary>
internal static class ServeCommand
{
    public static Command Create(Option<string> data, Option<string> dashboards, JetStreamLog log)
    {
        var urls = new Option<string>("--urls") { Description = "Where to listen (loopback only for now)", DefaultValueFactory = _ => "http://127.0.0.1:5080" };
        var durability = new Option<string>("--durability") { Description = "none (default: acknowledged once in the page cache) or fsync (on disk)", DefaultValueFactory = _ => "none" };
        durability.AcceptOnlyFromAmong("none", "fsync");
        var demo = new Option<bool>("--demo") { Description = "Write the sample dashboards if there are none, and run simulated agents" };
        var tokens = new Option<string?>("--tokens") { Description = "A JSON file of bearer tokens (or set PULSEBOARD_TOKENS); needed to listen off loopback" };
        var notifiers = NotifiersOption.Create();
        var checks = new Option<string>("--checks") { Description = "The dashboard /ping, /api/push and /metrics/job write to (Healthchecks, Uptime Kuma, Pushgateway)", DefaultValueFactory = _ => "checks" };
        var leaseTtl = new Option<string>("--alert-lease-ttl") { Description = "With --log nats://…: how long the node sending alert notices keeps that role after it stops renewing it (dies); the nodes should agree", DefaultValueFactory = _ => "10s" };
        var publicUrl = new Option<string?>("--public-url") { Description = "The address readers reach the pages at (a proxy or load balancer), e.g. https://pulse.example.com; or set PULSEBOARD_PUBLIC_URL. Alert notices link there. Default: the first --urls address" };
        var command = new Command("serve", "Serve: POST /api/events, the projector, GET /api/dashboards/{id}") { urls, durability, tokens, notifiers, demo, checks, leaseTtl, publicUrl };
        command.SetAction(async (parsed, cancellationToken) =>
        {
            string? tokensJson = null;
            var origin = "PULSEBOARD_TOKENS";
            if (parsed.GetValue(tokens) is { } file)
            {
                if (!File.Exists(file))
                {
                    await Console.Error.WriteLineAsync($"pulseboard serve: --tokens {file}: no such file").ConfigureAwait(false);
                    return ExitCodes.BadInput;
                }
                tokensJson = await File.ReadAllTextAsync(file, cancellationToken).ConfigureAwait(false);
                origin = file;
            }
            else
            {
                tokensJson = Environment.GetEnvironmentVariable("PULSEBOARD_TOKENS") is { Length: > 0 } env ? env : null;
            }
            var notifiersPath = NotifiersOption.Path(parsed, notifiers);
            if (notifiersPath is not null && !File.Exists(notifiersPath))
            {
                await Console.Error.WriteLineAsync($"pulseboard serve: --notifiers {notifiersPath}: no such file").ConfigureAwait(false);
                return ExitCodes.BadInput;
            }
            if (!Durations.TryParse(parsed.GetValue(leaseTtl)!, out var ttl) || ttl < TimeSpan.FromSeconds(1) || ttl > TimeSpan.FromHours(1))
            {
                await Console.Error.WriteLineAsync($"pulseboard serve: --alert-lease-ttl {EventRules.Quote(parsed.GetValue(leaseTtl)!)}: give a duration from 1s to 1h, e.g. 10s (the default)").ConfigureAwait(false);
                return ExitCodes.BadInput;
            }
            var options = new ServerOptions
            {
                AlertLeaseTtl = ttl,
                PublicUrl = parsed.GetValue(publicUrl) ?? (Environment.GetEnvironmentVariable("PULSEBOARD_PUBLIC_URL") is { Length: > 0 } shown ? shown : null),
                NotifiersPath = notifiersPath,
                Demo = parsed.GetValue(demo),
                ChecksDashboard = parsed.GetValue(checks)!,
                TokensJson = tokensJson,
                TokensOrigin = origin,
                Urls = parsed.GetValue(urls)!,
                DataDirectory = parsed.GetValue(data)!,
                JetStream = log.Read(parsed),
                DashboardsDirectory = parsed.GetValue(dashboards)!,
                Durability = parsed.GetValue(durability) == "fsync" ? Durability.Fsync : Durability.None,
            };
            Microsoft.AspNetCore.Builder.WebApplication app;
            try
            {
                app = PulseboardServer.Build(options);
            }
            catch (Exception ex) when (ex is LogLockedException or LogCorruptException or LogWriteException or InvalidOperationException or ArgumentException)
            {
                await Console.Error.WriteLineAsync($"pulseboard serve: {JetStreamLog.Said(ex)}").ConfigureAwait(false);
                return ExitCodes.Failed;
            }
            await using (app.ConfigureAwait(false))
            {
                await app.StartAsync(cancellationToken).ConfigureAwait(false);
                foreach (var address in PulseboardServer.Addresses(app))
                {
                    Console.WriteLine($"Pulseboard is listening on {address}{(tokensJson is null ? " (loopback only, no tokens)" : "")}. POST events to {address}/api/events; caches at {address}/api/dashboards");
                }
                await app.WaitForShutdownAsync(cancellationToken).ConfigureAwait(false);
            }
            return ExitCodes.Ok;
        });
        return command;
    }
}
