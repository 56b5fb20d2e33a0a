using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Pulseboard.Log;
using Pulseboard.Log.JetStream;

namespace Pulseboard.Server.Alerts;

/// <summary>
/// The notifying node across nodes that share a JetStream log: the key <c>alerts</c> of the bucket
/// <c>PULSEBOARD_LEASES</c> (<see cref="JetStreamLease"/>), taken when absent, renewed every third of
/// <see cref="ServerOptions.AlertLeaseTtl"/> on the server's clock, let go by the bucket's max age when its holder dies.
/// </summary>
/// <remarks>
/// <see cref="State"/> is held only while the last successful renew is younger than the TTL, measured from before the
/// renew was sent: a renew that hangs or fails stops notices at once, before the key could expire and another node take
/// over. Stopping the server releases the lease (the key is deleted if this node still holds it), so another node takes
/// over at its next round rather than after the TTL.
/// </remarks>
internal sealed partial class JetStreamNotifyingLease : BackgroundService, INotifyingLease
{
    /// <summary>The key in the bucket.</summary>
    public const string Key = "alerts";

    private readonly ServerOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private bool _held;
    private string? _holder;
    private long _term;
    private DateTimeOffset _validUntil;
    private string? _lastProblem;

    private readonly Log.JetStream.JetStreamEventLog _log;

    public JetStreamNotifyingLease(ServerOptions options, Log.IEventLog log, ILoggerFactory loggers)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _log = log as Log.JetStream.JetStreamEventLog ?? throw new InvalidOperationException("The alert lease needs the JetStream log.");
        _time = options.TimeProvider;
        _logger = loggers.CreateLogger("Pulseboard.Alerts");
    }

    public string Node { get; } = NodeIds.New();

    public LeaseState State
    {
        get
        {
            lock (_gate)
            {
                var held = _held && _time.GetUtcNow() < _validUntil;
                return new LeaseState(held, held ? Node : _holder == Node ? null : _holder, _term);
            }
        }
    }

    /// <summary>
    /// Twice the TTL: the holder that died last renewed at most a TTL before its key expired, and this node asks a third
    /// of a TTL after that at the latest; what the dead holder saw in between it may not have sent.
    /// </summary>
    public TimeSpan Lookback => _options.AlertLeaseTtl * 2;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var period = _options.AlertLeaseTtl / 3;
        JetStreamLease? lease = null;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var asked = _time.GetUtcNow();
                try
                {
                    lease ??= await _log.OpenLeaseAsync(JetStreamLease.DefaultBucket, Key, Node, _options.AlertLeaseTtl, stoppingToken).ConfigureAwait(false);
                    Observe(await lease.TryHoldAsync(stoppingToken).ConfigureAwait(false), asked);
                }
#pragma warning disable CA1031 // Whatever goes wrong asking is a round without the lease: never the end of the server.
                catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
#pragma warning restore CA1031
                {
                    Observe(new LeaseRound(false, null, ex is LogWriteException ? ex.Message : $"{ex.GetType().Name}: {ex.Message}"), asked);
                }
                await Task.Delay(period, _time, stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // stopping
        }
        finally
        {
            lock (_gate)
            {
                _held = false; // no notice from here on: the next holder sends them
            }
            if (lease is not null)
            {
                using var bounded = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await lease.ReleaseAsync(bounded.Token).ConfigureAwait(false);
                await lease.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private void Observe(LeaseRound round, DateTimeOffset asked)
    {
        bool took, lost;
        lock (_gate)
        {
            var was = _held && _time.GetUtcNow() < _validUntil;
            took = round.Held && !was;
            lost = !round.Held && _held;
            if (took)
            {
                _term++;
            }
            _held = round.Held;
            _holder = round.Holder;
            if (round.Held)
            {
                _validUntil = asked + _options.AlertLeaseTtl;
            }
        }
        if (took)
        {
            LogTook(_logger, Node, _options.AlertLeaseTtl.TotalSeconds);
        }
        else if (lost)
        {
            LogLost(_logger, Node, round.Holder ?? "nobody", round.Problem ?? "another node renewed it");
        }
        else if (round.Problem is not null && round.Problem != _lastProblem)
        {
            LogUnreachable(_logger, round.Problem); // once per distinct problem, not every round
        }
        _lastProblem = round.Problem;
    }

    [LoggerMessage(410, LogLevel.Information, "This node ({Node}) now sends alert notices: it holds the alert lease (TTL {Seconds} s)")]
    private static partial void LogTook(ILogger logger, string node, double seconds);

    [LoggerMessage(411, LogLevel.Warning, "This node ({Node}) lost the alert lease ({Why}); it stops sending alert notices; the holder is {Holder}")]
    private static partial void LogLost(ILogger logger, string node, string holder, string why);

    [LoggerMessage(412, LogLevel.Warning, "The alert lease cannot be asked for ({Why}); this node sends no alert notice until it holds it")]
    private static partial void LogUnreachable(ILogger logger, string why);
}
