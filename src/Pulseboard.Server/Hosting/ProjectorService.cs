using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Pulseboard.Log;
using Pulseboard.Projection;
using Pulseboard.Server.Serving;

namespace Pulseboard.Server.Hosting;

/// <summary>
/// The continuous projector inside the server: woken by appends, debounced, and after every cycle the caches it wrote
/// are handed to the <see cref="CacheStore"/> as bytes. Idle, it sleeps until the next append (or the checkpoint falls due) on <paramref name="time"/>.
/// </summary>
internal sealed class ProjectorService(IEventLog log, CacheStore caches, ServerOptions options, ServedDefinitions definitions, ProjectorStatus status, Metrics.ServerMetrics metrics, Alerts.AlertEngine alerts, ILoggerFactory loggers, TimeProvider time) : BackgroundService
{
    private readonly TimeProvider _time = time;

    /// <summary>
    /// Loads the caches on disk as the host starts, before Kestrel listens: since .NET 10 <see cref="ExecuteAsync"/>
    /// runs on the thread pool, possibly after the first requests, which must not find no dashboards.
    /// </summary>
    public override Task StartAsync(CancellationToken cancellationToken)
    {
        caches.Refresh();
        return base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var projector = Projector.Open(new ProjectorOptions
        {
            DataDirectory = options.DataDirectory,
            DashboardsDirectory = options.DashboardsDirectory,
            Definitions = definitions.Set, // the ones ingest flags stray events by
            Logger = loggers.CreateLogger("Pulseboard.Projector"),
            TimeProvider = _time,
            Debounce = options.ProjectorDebounce,
            OnCycle = cycle =>
            {
                caches.Accept(cycle.Written);
                metrics.CycleSeconds.Record(cycle.Duration.TotalSeconds);
                status.Ran(cycle.Position); // after the hand-over: a lag of 0 means the served caches hold it
                alerts.Wake(); // the caches changed: evaluate now, not at the next tick
            },
        }, log);
        alerts.Use(projector.Definitions.Dashboards); // the same definitions the caches are built from
        caches.Refresh(); // what opening wrote (a cache marked orphaned), before the first cycle hands over the rest
        await Task.Yield();
        var logger = loggers.CreateLogger("Pulseboard.Projector");
        var wait = TimeSpan.FromMilliseconds(250);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await projector.RunAsync(log, stoppingToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or FormatException)
            {
                // A full or failing disk must not stop the server: events are still taken (or refused with 507),
                // and the caches that could not be written stay dirty and are written once the disk allows it. A log
                // on other servers that does not answer (a stream electing its leader) is waited for the same way.
                // A line that does not parse (a message on a distributed log's subjects that only looks like an event)
                // must not stop the host either: it is logged, and retried after the same back-off.
                if (ex is LogUnreachableException)
                {
                    logger.ProjectorCannotRead(ex.Message, wait.TotalSeconds);
                }
                else if (ex is FormatException)
                {
                    logger.ProjectorCannotParse(ex.Message, wait.TotalSeconds);
                }
                else
                {
                    logger.ProjectorCannotWrite(ex, wait.TotalSeconds);
                }
                try
                {
                    await Task.Delay(wait, _time, stoppingToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
                wait = TimeSpan.FromTicks(Math.Min(wait.Ticks * 2, TimeSpan.FromSeconds(10).Ticks));
                continue;
            }
            wait = TimeSpan.FromMilliseconds(250);
        }
    }

}

internal static partial class ProjectorServiceMessages
{
    [LoggerMessage(201, LogLevel.Error, "The projector cannot write its caches; retrying in {Seconds} s")]
    public static partial void ProjectorCannotWrite(this ILogger logger, Exception cause, double seconds);

    [LoggerMessage(202, LogLevel.Warning, "The projector cannot read the log: {Reason} Retrying in {Seconds} s")]
    public static partial void ProjectorCannotRead(this ILogger logger, string reason, double seconds);

    [LoggerMessage(203, LogLevel.Error, "The projector cannot parse an event in the log: {Reason} Retrying in {Seconds} s")]
    public static partial void ProjectorCannotParse(this ILogger logger, string reason, double seconds);
}
