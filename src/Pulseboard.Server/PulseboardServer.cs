using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Pulseboard.Log;
using Pulseboard.Server.Alerts;
using Pulseboard.Server.Auth;
using Pulseboard.Server.Compat;
using Pulseboard.Server.Hosting;
using Pulseboard.Server.Ingest;
using Pulseboard.Server.Mcp;
using Pulseboard.Server.Metrics;
using Pulseboard.Server.Serving;

namespace Pulseboard.Server;

/// <summary>Builds the server: Kestrel on loopback, the log writer, the continuous projector, and the HTTP stages.</summary>
public static class PulseboardServer
{
    /// <summary>
    /// Builds the server. The log is opened here, so a second writer fails before anything listens.
    /// </summary>
    /// <exception cref="LogLockedException">Another process writes the log.</exception>
    /// <exception cref="InvalidOperationException">An address is not on loopback and there are no tokens, or the tokens are malformed.</exception>
    public static WebApplication Build(ServerOptions options, Action<ILoggingBuilder>? logging = null) => Build(options, logging, null);

    /// <summary>Builds the server with services of the caller's added after Pulseboard's (tests register an alert outbox).</summary>
    internal static WebApplication Build(ServerOptions options, Action<ILoggingBuilder>? logging, Action<IServiceCollection>? services)
    {
        ArgumentNullException.ThrowIfNull(options);
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls(options.Urls);
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = options.MaxBodyBytes + 1);
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning); // one line per request is noise here
        builder.Logging.AddFilter("ModelContextProtocol", LogLevel.Warning); // and so is one per MCP call
        logging?.Invoke(builder.Logging);
        builder.Services.AddPulseboard(options);
        services?.Invoke(builder.Services);
        var app = builder.Build();
        try
        {
            app.Services.GetRequiredService<IEventLog>();
        }
        catch
        {
            ((IDisposable)app).Dispose();
            throw;
        }
        app.MapPulseboard();
        return app;
    }

    /// <summary>
    /// Registers what the server runs on: the options and their clock, the tokens, the log (opened when first
    /// resolved), the definitions (loaded once, shared), the continuous projector, the caches as served, the pages, the
    /// metrics, the MCP tools, the alert outbox and its delivery, and with <see cref="ServerOptions.Demo"/> the demo's
    /// agents.
    /// </summary>
    /// <exception cref="ArgumentException">An option is out of range: the message names it and its default.</exception>
    /// <exception cref="InvalidOperationException">The tokens are malformed, or there are none and an address of
    /// <see cref="ServerOptions.Urls"/> is not on loopback, or <see cref="ServerOptions.NotifiersPath"/> has problems.</exception>
    public static IServiceCollection AddPulseboard(this IServiceCollection services, ServerOptions options)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Tokens tokens;
        try
        {
            tokens = options.TokensJson is null ? Tokens.None : Tokens.Parse(options.TokensJson, options.TokensOrigin);
        }
        catch (FormatException ex)
        {
            throw new InvalidOperationException(ex.Message, ex);
        }
        if (!tokens.Any)
        {
            RequireLoopback(options.Urls);
        }
        var notifiers = options.NotifiersPath is null ? NotifierSet.Empty : NotifierSet.Load(options.NotifiersPath);
        if (notifiers.Errors.Count > 0)
        {
            throw new InvalidOperationException(
                $"{options.NotifiersPath} has {notifiers.Errors.Count} problems (pulseboard check --notifiers FILE lists them too):\n{string.Join('\n', notifiers.Errors)}");
        }
        if (options.NotifiersPath is not null
            && NotifierNames.Unknown(Projection.Definitions.DefinitionLoader.LoadDirectory(options.DashboardsDirectory).Dashboards, notifiers, options.NotifiersPath) is { Count: > 0 } unknown)
        {
            // Without --notifiers there is nothing to check against: the alerts are shown, and each notice is logged
            // as given up for its unknown notifier.
            throw new InvalidOperationException(
                $"alerts name notifiers {options.NotifiersPath} does not have (pulseboard check --notifiers FILE lists them too):\n{string.Join('\n', unknown)}");
        }
        services.ConfigureHttpJsonOptions(json => json.SerializerOptions.TypeInfoResolverChain.Insert(0, ServerJsonContext.Default));
        services.AddProblemDetails();
        services.AddSingleton(options);
        services.AddSingleton(options.TimeProvider);
        services.AddSingleton(tokens);
        services.AddSingleton<CacheStore>();
        services.AddSingleton(_ => RendererAssets.Load(options.RendererDirectory));
        services.AddSingleton<DashboardPages>();
        services.AddSingleton<ProjectorStatus>();
        services.AddSingleton<ServedDefinitions>();
        services.AddSingleton<Metrics.ServerMetrics>();
        services.AddHostedService<ProjectorService>();
        services.AddPulseboardMcp();
        services.AddAlertDelivery(options, notifiers);
        services.AddSingleton<Alerts.SilenceStore>();
        if (options.JetStream is null && options.Log is null)
        {
            services.AddSingleton<INotifyingLease, SoleNodeLease>();
        }
        else
        {
            // Several nodes on one stream: the one holding the lease sends the notices (started before the engine).
            services.AddSingleton<JetStreamNotifyingLease>();
            services.AddSingleton<INotifyingLease>(provider => provider.GetRequiredService<JetStreamNotifyingLease>());
            services.AddHostedService(provider => provider.GetRequiredService<JetStreamNotifyingLease>());
        }
        services.AddSingleton<Alerts.AlertEngine>();
        services.AddHostedService(provider => provider.GetRequiredService<Alerts.AlertEngine>());
        services.AddCompatEndpoints();
        if (options.Demo)
        {
            Demo.SampleDashboards.WriteIfEmpty(options.DashboardsDirectory);
            services.AddHostedService(provider => new Demo.DemoAgents(provider.GetRequiredService<IEventLog>(), options.TimeProvider, options.ChecksDashboard));
        }

        // Created by the container, so the container disposes it (drains, fsyncs, releases the lock) after Kestrel
        // and the projector stopped; resolve it right after building, so a second writer fails before anything listens.
        if ((options.JetStream ?? (options.Log is { } urls ? new Log.JetStream.JetStreamEventLogOptions { Urls = urls } : null)) is { } jetStream)
        {
            // Opened at build, like the file log: a stream that cannot be reached fails before anything listens.
            // Every option as given (its UnavailableAfter too); only the size limit is the server's, ingest's and the log's alike.
            services.AddSingleton<IEventLog>(_ => Log.JetStream.JetStreamEventLog.OpenAsync(jetStream.WithMaxEventBytes(options.MaxEventBytes)).GetAwaiter().GetResult());
            return services;
        }
        services.AddSingleton(provider => FileEventLog.Open(new FileEventLogOptions
        {
            DataDirectory = options.DataDirectory,
            Durability = options.Durability,
            MaxEventBytes = options.MaxEventBytes,
            TimeProvider = options.TimeProvider,
            Logger = provider.GetRequiredService<ILoggerFactory>().CreateLogger("Pulseboard.Log"),
        }));
        services.AddSingleton<IEventLog>(provider => provider.GetRequiredService<FileEventLog>());
        return services;
    }

    /// <summary>
    /// Maps the HTTP stages (ingest, caches, streams, pages, metrics, health) on an application whose services came
    /// from <see cref="AddPulseboard"/>, and writes <c>&lt;data&gt;/server.json</c> while it listens (so <c>emit</c> and
    /// <c>tail</c> find it).
    /// </summary>
    public static WebApplication MapPulseboard(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var options = app.Services.GetRequiredService<ServerOptions>();
        app.UseStatusCodePages();
        app.UseHeadAsGet();
        app.UseRouting(); // after the HEAD middleware: routing must see those requests as GETs
        app.MapIngestEndpoints();
        app.MapDashboardEndpoints();
        app.MapStreamEndpoints();
        app.MapMetaEndpoints();
        app.MapSchemaEndpoints();
        app.MapPageEndpoints();
        app.MapMetricsEndpoints();
        app.MapMcpEndpoints();
        app.MapAlertEndpoints();
        app.MapCompatEndpoints();

        var infoPath = Path.Combine(Path.GetFullPath(options.DataDirectory), "server.json");
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            var addresses = Addresses(app);
            var url = addresses.Count > 0 ? addresses[0] : options.Urls;
            File.WriteAllBytes(infoPath, JsonSerializer.SerializeToUtf8Bytes(new ServerInfo(url, Environment.ProcessId), ServerJsonContext.Default.ServerInfo));
        });
        app.Lifetime.ApplicationStopped.Register(() => File.Delete(infoPath));
        return app;
    }

    /// <summary>The addresses the started server listens on (with the real port when it asked for port 0).</summary>
    public static IReadOnlyList<string> Addresses(WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        return app.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.ToList() ?? [];
    }

    private static void RequireLoopback(string urls)
    {
        foreach (var url in urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var host = Uri.TryCreate(url.Replace("*", "0.0.0.0", StringComparison.Ordinal).Replace("+", "0.0.0.0", StringComparison.Ordinal), UriKind.Absolute, out var uri) ? uri.Host : url;
            var loopback = host == "localhost" || (IPAddress.TryParse(host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip));
            if (!loopback)
            {
                throw new InvalidOperationException(
                    $"{url} is not a loopback address. Without tokens the server listens on loopback only (127.0.0.1, [::1], localhost): give --tokens FILE (or PULSEBOARD_TOKENS) to listen elsewhere.");
            }
        }
    }
}
