using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Pulseboard.Log;
using Pulseboard.Log.JetStream;

namespace Pulseboard.Server.Alerts;

/// <summary>
/// The notifying node across nodes that share a JetStream log: the key <c>alerts</c> of the bucket
/// <c>PULSEBOARD_LEASES</c> (<see cref="JetStreamLease"/>), taken when absent, renewed every third of the TTL, let go by
/// the bucket's max age when its holder dies. The TTL is the bucket's max age: <see cref="ServerOptions.AlertLeaseTtl"/>
/// only when this node created the bucket (a node whose setting differs says so in a warning and follows the bucket).
/// </summary>
/// <remarks>
/// <see cref="State"/> is held only while the last successful renew is younger than the TTL, measured on the monotonic
/// clock (<see cref="TimeProvider.GetTimestamp"/>, which a step of the wall clock does not move) from before the renew
/// was sent: a renew that hangs or fails stops notices at once, before the key could expire and another node take
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
    private TimeSpan _ttl;
    private long _renewSentAt;
    private string? _lastProblem;

    private readonly Log.JetStream.JetStreamEventLog _log;

    public JetStreamNotifyingLease(ServerOptions options, Log.IEventLog log, ILoggerFactory loggers)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _log = log as Log.JetStream.JetStreamEventLog ?? throw new InvalidOperationException("The alert lease needs the JetStream log.");
        _time = options.TimeProvider;
        _logger = loggers.CreateLogger("Pulseboard.Alerts");
        _ttl = options.AlertLeaseTtl;
    }

    public string Node { get; } = NodeIds.New();

    public LeaseState State
    {
        get
        {
            lock (_gate)
            {
                var held = IsValid();
                return new LeaseState(held, held ? Node : _holder == Node ? null : _holder, _term);
            }
        }
    }

    /// <summary>
    /// Twice the TTL: the holder that died last renewed at most a TTL before its key expired, and this node asks a third
    /// of a TTL after that at the latest; what the dead holder saw in between it may not have sent.
    /// </summary>
    public TimeSpan Lookback
    {
        get
        {
            lock (_gate)
            {
                return _ttl * 2;
            }
        }
    }

    /// <summary>The TTL this node goes by: the bucket's max age once the bucket is open, <see cref="ServerOptions.AlertLeaseTtl"/> until then.</summary>
    internal TimeSpan Ttl
    {
        get
        {
            lock (_gate)
            {
                return _ttl;
            }
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        JetStreamLease? lease = null;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var asked = _time.GetTimestamp();
                try
                {
                    lease ??= await OpenAsync(stoppingToken).ConfigureAwait(false);
                    Observe(await lease.TryHoldAsync(stoppingToken).ConfigureAwait(false), asked);
                }
#pragma warning disable CA1031 // Whatever goes wrong asking is a round without the lease: never the end of the server.
                catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
#pragma warning restore CA1031
                {
                    Observe(new LeaseRound(false, null, ex is LogWriteException ? ex.Message : $"{ex.GetType().Name}: {ex.Message}"), asked);
                }
                await Task.Delay(Ttl / 3, _time, stoppingToken).ConfigureAwait(false);
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

    /// <summary>Opens the lease and goes by the bucket's max age from then on.</summary>
    private async Task<JetStreamLease> OpenAsync(CancellationToken cancellationToken)
    {
        var lease = await _log.OpenLeaseAsync(JetStreamLease.DefaultBucket, Key, Node, _options.AlertLeaseTtl, cancellationToken).ConfigureAwait(false);
        UseTtl(lease.Ttl);
        return lease;
    }

    /// <summary>Goes by <paramref name="bucketTtl"/>, the bucket's max age, for the renew period, validity and lookback.</summary>
    internal void UseTtl(TimeSpan bucketTtl)
    {
        lock (_gate)
        {
            _ttl = bucketTtl;
        }
        if (bucketTtl != _options.AlertLeaseTtl)
        {
            LogTtlDiffers(_logger, _options.AlertLeaseTtl.TotalSeconds, JetStreamLease.DefaultBucket, bucketTtl.TotalSeconds);
        }
    }

    /// <summary>Held, and the last renew was sent less than a TTL ago on the monotonic clock. Under <see cref="_gate"/>.</summary>
    private bool IsValid() => _held && _time.GetElapsedTime(_renewSentAt) < _ttl;

    /// <summary>What a round answered; <paramref name="asked"/> is <see cref="TimeProvider.GetTimestamp"/> from before it was sent.</summary>
    internal void Observe(LeaseRound round, long asked)
    {
        bool took, lost;
        double seconds;
        lock (_gate)
        {
            var was = IsValid();
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
                _renewSentAt = asked;
            }
            seconds = _ttl.TotalSeconds;
        }
        if (took)
        {
            LogTook(_logger, Node, seconds);
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

    [LoggerMessage(413, LogLevel.Warning, "--alert-lease-ttl is {Ours} s but the lease bucket {Bucket} expires its keys after {Theirs} s: this node goes by the bucket's, as every node must. To change it, stop every node, delete the bucket and start them all with the same --alert-lease-ttl")]
    private static partial void LogTtlDiffers(ILogger logger, double ours, string bucket, double theirs);
}
