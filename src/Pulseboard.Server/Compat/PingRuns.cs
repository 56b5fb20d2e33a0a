namespace Pulseboard.Server.Compat;

/// <summary>
/// When each check's run started, so a success or failure ping after a <c>/start</c> carries the run time, as
/// Healthchecks shows it: paired by <c>?rid=</c> when given (concurrent runs of one job), else the check's latest start.
/// </summary>
/// <remarks>
/// Kept in memory only (a restart forgets runs in progress: their end pings carry no run time) and bounded: at most
/// <see cref="MaxRuns"/> starts, the oldest forgotten first, and a start older than <see cref="MaxRunTime"/> is
/// taken as unrelated, as Healthchecks does. Thread-safe.
/// </remarks>
internal sealed class PingRuns(TimeProvider time)
{
    /// <summary>The most starts remembered.</summary>
    public const int MaxRuns = 10_000;

    /// <summary>A start older than this is unrelated to the ping that ends a run (Healthchecks: 72 hours).</summary>
    public static readonly TimeSpan MaxRunTime = TimeSpan.FromHours(72);

    private readonly Dictionary<(string Dashboard, string Slug, string Rid), DateTimeOffset> _started = [];
    private readonly Lock _lock = new();

    /// <summary>Remembers that a run of <paramref name="slug"/> started now.</summary>
    public void Start(string dashboard, string slug, string? rid)
    {
        var now = time.GetUtcNow();
        lock (_lock)
        {
            if (_started.Count >= MaxRuns && !_started.ContainsKey((dashboard, slug, rid ?? "")))
            {
                Forget(now);
            }
            _started[(dashboard, slug, rid ?? "")] = now;
        }
    }

    /// <summary>
    /// The seconds since the run's start, or null when none is remembered; <paramref name="forget"/> ends the run (done
    /// once its ping is stored, so a ping the log could not take leaves the start for the retry).
    /// </summary>
    public double? End(string dashboard, string slug, string? rid, bool forget = true)
    {
        var now = time.GetUtcNow();
        lock (_lock)
        {
            var key = (dashboard, slug, rid ?? "");
            if (!_started.TryGetValue(key, out var started))
            {
                return null;
            }
            if (forget)
            {
                _started.Remove(key);
            }
            var run = now - started;
            return run < TimeSpan.Zero || run > MaxRunTime ? null : Math.Round(run.TotalSeconds, 3);
        }
    }

    /// <summary>The count of starts remembered, for tests.</summary>
    internal int Count
    {
        get
        {
            lock (_lock)
            {
                return _started.Count;
            }
        }
    }

    /// <summary>Forgets the starts past <see cref="MaxRunTime"/>; when none is, the oldest one.</summary>
    private void Forget(DateTimeOffset now)
    {
        var stale = _started.Where(s => now - s.Value > MaxRunTime).Select(s => s.Key).ToList();
        if (stale.Count == 0)
        {
            stale.Add(_started.MinBy(s => s.Value).Key);
        }
        foreach (var key in stale)
        {
            _started.Remove(key);
        }
    }
}
