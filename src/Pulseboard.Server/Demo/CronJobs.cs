using Pulseboard.Server.Compat;

namespace Pulseboard.Server.Demo;

/// <summary>
/// checks: cron jobs pinging as they would Healthchecks (a start, then the exit status), a website pushed as to an
/// Uptime Kuma push monitor, and a batch job pushing its metrics as to a Pushgateway. The events are the ones the
/// compatible endpoints write (<see cref="CheckEvents"/>), to the dashboard they write to.
/// </summary>
internal sealed class CronJobs(DemoWriter w, string dashboard)
{
    private static readonly (string Slug, int MinSeconds, int MaxSeconds, double FailChance)[] s_jobs =
    [
        ("nightly-backup", 40, 300, 0.1),
        ("certbot-renew", 2, 20, 0.05),
        ("db-vacuum", 10, 90, 0.15),
    ];

    private static readonly string[] s_sites = ["website", "api-gateway"];

    /// <summary>One job's run: its start, then its exit status with the run time, and on a failure the tail of its output.</summary>
    public void Run()
    {
        var (slug, min, max, failChance) = w.Pick(s_jobs);
        var rid = $"{w.Random.Next():x8}-run";
        w.Add(CheckEvents.Ping(dashboard, slug, "start", rid: rid));
        var exitCode = w.Chance(failChance) ? w.Pick([1, 2, 124]) : 0;
        var body = exitCode == 0 ? null : exitCode == 124 ? "timeout: the job ran past its limit" : $"error: {slug} exited with status {exitCode}";
        w.Add(CheckEvents.Ping(dashboard, slug, exitCode == 0 ? "ping" : "fail", exitCode, w.Between(min, max), rid, body));
    }

    /// <summary>A push monitor's heartbeat: up with a response time, now and then down.</summary>
    public void Push()
    {
        var site = w.Pick(s_sites);
        var down = w.Chance(0.08);
        w.Add(CheckEvents.PushOf(dashboard, site, down ? "down" : "up", down ? "HTTP 502 from upstream" : "OK", down ? null : w.Between(20, 180)));
    }

    /// <summary>A batch job's metrics, pushed as one group.</summary>
    public void Metrics()
    {
        List<KeyValuePair<string, string>> labels = [new("instance", "etl-1")];
        w.Add(CheckEvents.Sample(dashboard, "etl", "etl_rows_processed", w.Between(10_000, 90_000), labels));
        w.Add(CheckEvents.Sample(dashboard, "etl", "etl_duration_seconds", w.Amount(12, 80), labels));
        w.Add(CheckEvents.Sample(dashboard, "etl", "etl_last_success_timestamp_seconds", w.Now.ToUnixTimeSeconds(), labels));
    }

    /// <summary>A day of runs, pushes and metrics, so the tables and the failures feed are full at once.</summary>
    public void History(DateTimeOffset now)
    {
        for (var at = now.AddDays(-1); at < now.AddMinutes(-5); at = at.AddMinutes(30))
        {
            w.Now = at;
            Run();
            Push();
            Metrics();
        }
    }
}
