using System.Text.Json;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Pulseboard.Log;
using Pulseboard.Projection.Definitions;
using Pulseboard.Server.Serving;

namespace Pulseboard.Server.Alerts;

/// <summary>
/// Decides when alerts fire and resolve: evaluates every definition's <c>alerts:</c> against the served caches every
/// <see cref="Interval"/> on the server's clock (a heartbeat that stops is the absence of events, so no event would
/// wake it) and after every projector cycle; hands each notice to the <see cref="IAlertOutbox"/>.
/// </summary>
/// <remarks>
/// One evaluation at a time, on the loop's task; the state it keeps (pending and firing instances, the next event to
/// match) is written to <c>&lt;data&gt;/alerts/state.json</c> after each evaluation that changed it, after the
/// notices were enqueued: a crash in between sends a notice twice, with the same id, never zero times.
/// <see cref="Firing"/> is an immutable snapshot, safe to read from any thread.
/// With several nodes on one stream every node evaluates, so each keeps its state warm, but only the node holding the
/// <see cref="INotifyingLease"/> enqueues; the others keep what they would have sent for a while
/// (<see cref="INotifyingLease.Lookback"/>) and send it, with the same ids, if they take the lease over
/// (AlertEngine.Takeover.cs).
/// </remarks>
internal sealed partial class AlertEngine : BackgroundService
{
    /// <summary>How often alerts are evaluated without a cycle to wake them; a resolve needs the condition false this long.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    private readonly CacheStore _caches;
    private readonly SilenceStore _silences;
    private readonly IEventLogReader _log;
    private readonly TimeProvider _time;
    private readonly IAlertOutbox? _outbox;
    private readonly INotifyingLease _lease;
    private readonly IServiceProvider _services;
    private readonly ILogger _logger;
    private readonly string _statePath;
    private readonly SemaphoreSlim _wake = new(0, int.MaxValue);
    private readonly TaskCompletionSource<IReadOnlyList<DashboardDefinition>> _definitions = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Dictionary<string, AlertInstance> _instances = new(StringComparer.Ordinal);
    private readonly Lock _waitersLock = new();
    private readonly List<(DateTimeOffset At, long Seq, TaskCompletionSource Done)> _waiters = [];
    private readonly long _endAtStart;
    private readonly string? _publicUrl;
    private long _nextEventSeq;
    private long _savedEventSeq;
    private DateTimeOffset _savedAt;
    private bool _warnedNoOutbox;
    private bool _eventsUnreadable;
    private volatile IReadOnlyList<AlertView> _firing = [];

    public AlertEngine(CacheStore caches, SilenceStore silences, IEventLog log, INotifyingLease lease, ServerOptions options, IServiceProvider services, ILoggerFactory loggers)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(services);
        _caches = caches;
        _silences = silences;
        _log = log;
        _lease = lease;
        _time = options.TimeProvider;
        _publicUrl = options.PublicUrl;
        _services = services;
        // The durable outbox (AlertServices.AddAlertDelivery); a host that registers none gets its notices logged only.
        _outbox = services.GetService<IAlertOutbox>();
        _logger = loggers.CreateLogger("Pulseboard.Alerts");
        _statePath = Path.Combine(AlertFiles.Folder(options.DataDirectory), "state.json");
        // Taken as the host starts, before Kestrel listens: since .NET 10 the loop (and LoadState) runs on the thread
        // pool, possibly after the first events came in, and those are news, not history.
        _endAtStart = log.End;
    }

    /// <summary>The firing instances (silenced ones marked), as of the last evaluation.</summary>
    public IReadOnlyList<AlertView> Firing => _firing;

    /// <summary>Given the definitions the projector loaded: evaluation starts.</summary>
    public void Use(IReadOnlyList<DashboardDefinition> definitions) => _definitions.TrySetResult(definitions);

    /// <summary>Asks for an evaluation soon: after a projector cycle, a new or removed silence.</summary>
    public void Wake() => _wake.Release();

    /// <summary>
    /// Completes once an evaluation at <paramref name="at"/> or later has finished and event alerts have matched every
    /// event through <paramref name="seq"/>: what a caller (a test) waits on instead of sleeping.
    /// </summary>
    public Task EvaluatedAsync(DateTimeOffset at, long seq, CancellationToken cancellationToken)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_waitersLock)
        {
            _waiters.Add((at, seq, done));
        }
        Wake();
        return done.Task.WaitAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        IReadOnlyList<DashboardDefinition> definitions;
        try
        {
            definitions = await _definitions.Task.WaitAsync(stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return;
        }
        LoadState();
        // One periodic timer for the life of the loop: on a fake clock every period crossed by Advance wakes it, with
        // no window in which a timer is not yet armed.
        using var timer = _time.CreateTimer(static state => ((AlertEngine)state!).Wake(), this, Interval, Interval);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                Evaluate(definitions, _time.GetUtcNow());
            }
#pragma warning disable CA1031 // A bug or a broken cache must not stop alerting for good: logged, and the next tick tries again.
            catch (Exception ex) when (ex is not OutOfMemoryException)
#pragma warning restore CA1031
            {
                _logger.EvaluationFailed(ex);
            }
            try
            {
                await _wake.WaitAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
            while (_wake.Wait(0, CancellationToken.None))
            {
                // coalesce: one evaluation answers every wake that came meanwhile
            }
        }
        SaveState(); // the event cursor, when no event alert made it worth a write before
    }

    private void Evaluate(IReadOnlyList<DashboardDefinition> definitions, DateTimeOffset now)
    {
        var changed = SendAgainOnTakeover(now);
        // Conditions first: they read the caches, so a log that does not answer (MatchEvents) cannot hold them up.
        changed |= EvaluateConditions(definitions, now);
        changed |= MatchEvents(definitions);
        // A notice or a transition is saved at once; an event cursor that only moved, once a second: under a stream of
        // events a wake per cycle must not mean an fsync per cycle (a crash re-reads those events; none matched).
        if (changed || (_nextEventSeq != _savedEventSeq && now - _savedAt >= Interval))
        {
            SaveState();
            _savedAt = now;
        }
        var end = _nextEventSeq - 1;
        lock (_waitersLock)
        {
            _waiters.RemoveAll(w =>
            {
                if (w.At <= now && w.Seq <= end)
                {
                    w.Done.TrySetResult();
                    return true;
                }
                return false;
            });
        }
    }

    /// <summary>
    /// Hands a notice to the outbox when this node notifies, else keeps it for a takeover; false when the outbox could not
    /// take it (then it is tried again at the next evaluation).
    /// </summary>
    private bool Send(AlertNotice notice)
    {
        if (!_lease.State.Held)
        {
            Keep(notice); // the notifying node sends it; kept in case this node takes over before it could
            return true;
        }
        return Enqueue(notice);
    }

    /// <summary>Hands a notice to the outbox (or the log, with no outbox); false when the outbox refused it.</summary>
    private bool Enqueue(AlertNotice notice)
    {
        if (_outbox is null)
        {
            if (!_warnedNoOutbox)
            {
                _warnedNoOutbox = true;
                _logger.NoOutbox();
            }
            _logger.Notice(notice.Status, notice.Summary);
            return true;
        }
        try
        {
            _outbox.Enqueue(notice);
            return true;
        }
        catch (IOException ex)
        {
            _logger.EnqueueFailed(ex, notice.Summary);
            return false;
        }
    }

    /// <summary>The dashboard page's address: under the public URL when there is one, else the first address listened on, else the path.</summary>
    private string UrlOf(string dashboard)
    {
        if (_publicUrl is { } publicUrl)
        {
            return $"{publicUrl.TrimEnd('/')}/d/{dashboard}";
        }
        var addresses = _services.GetService<IServer>()?.Features.Get<IServerAddressesFeature>()?.Addresses;
        var first = addresses?.FirstOrDefault();
        return first is null ? $"/d/{dashboard}" : $"{first.TrimEnd('/')}/d/{dashboard}";
    }

    private void LoadState()
    {
        AlertStateFile? state = null;
        try
        {
            state = JsonSerializer.Deserialize(File.ReadAllBytes(_statePath), AlertJsonContext.Default.AlertStateFile);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            // first start: nothing pending or firing
        }
        catch (JsonException ex)
        {
            _logger.StateUnreadable(ex, _statePath);
        }
        foreach (var instance in state?.Instances ?? [])
        {
            _instances[instance.Key] = instance;
        }
        // Event alerts tell of events that arrive while the server runs: on a first start (or a log replaced since),
        // what the log held as the server started is history, not news.
        var next = state?.NextEventSeq ?? 0;
        _nextEventSeq = next < 1 || next > _log.End + 1 ? Math.Min(_endAtStart, _log.End) + 1 : next;
        _savedEventSeq = next;
    }

    private void SaveState()
    {
        _savedEventSeq = _nextEventSeq;
        try
        {
            AlertFiles.WriteDurably(_statePath, JsonSerializer.SerializeToUtf8Bytes(
                new AlertStateFile(1, _nextEventSeq, [.. _instances.Values]), AlertJsonContext.Default.AlertStateFile));
        }
        catch (IOException ex)
        {
            _logger.StateNotSaved(ex, _statePath);
        }
    }

    public override void Dispose()
    {
        _wake.Dispose();
        base.Dispose();
    }
}

internal static partial class AlertMessages
{
    [LoggerMessage(401, LogLevel.Error, "Evaluating alerts failed; the next evaluation tries again")]
    public static partial void EvaluationFailed(this ILogger logger, Exception cause);

    [LoggerMessage(430, LogLevel.Warning, "Event alerts cannot read the log; heartbeat and value alerts go on, and event alerts catch up once it answers")]
    public static partial void EventsUnreadable(this ILogger logger, Exception cause);

    [LoggerMessage(431, LogLevel.Information, "Event alerts read the log again")]
    public static partial void EventsReadable(this ILogger logger);

    [LoggerMessage(402, LogLevel.Warning, "No alert outbox is configured: notices are logged, not delivered")]
    public static partial void NoOutbox(this ILogger logger);

    [LoggerMessage(403, LogLevel.Information, "Alert {Status}: {Summary}")]
    public static partial void Notice(this ILogger logger, string status, string summary);

    [LoggerMessage(404, LogLevel.Error, "The alert outbox did not take a notice ({Summary}); it is tried again at the next evaluation")]
    public static partial void EnqueueFailed(this ILogger logger, Exception cause, string summary);

    [LoggerMessage(405, LogLevel.Warning, "The alert state {Path} cannot be read; starting with no alert pending or firing")]
    public static partial void StateUnreadable(this ILogger logger, Exception cause, string path);

    [LoggerMessage(406, LogLevel.Error, "The alert state {Path} could not be saved; a restart may send some notices again")]
    public static partial void StateNotSaved(this ILogger logger, Exception cause, string path);

    [LoggerMessage(420, LogLevel.Error, "The silences file {Path} cannot be read; it was moved to {Aside} and the server starts with no silence: fix that file and move it back while the server is stopped, or add the silences again (pulseboard silence add)")]
    public static partial void SilencesUnreadable(this ILogger logger, Exception cause, string path, string aside);
}
