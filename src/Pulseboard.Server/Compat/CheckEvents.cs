using System.Text.Json;

namespace Pulseboard.Server.Compat;

/// <summary>
/// The events the compatible endpoints write, in one place, so the demo writes exactly what a real cron job, push
/// monitor or Pushgateway client would (docs: README, "Moving from Healthchecks / Uptime Kuma / Pushgateway").
/// </summary>
internal static class CheckEvents
{
    /// <summary>The section of Healthchecks-style pings.</summary>
    public const string Pings = "pings";

    /// <summary>The section of Uptime Kuma-style pushes.</summary>
    public const string Push = "push";

    /// <summary>The section of Pushgateway-style samples.</summary>
    public const string Metrics = "metrics";

    /// <summary>The action of a Pushgateway <c>DELETE</c> (a metric name never has a hyphen, so it cannot be one).</summary>
    public const string GroupDeleted = "group-deleted";

    /// <summary>
    /// A ping: <paramref name="action"/> is <c>ping</c>, <c>start</c>, <c>fail</c> or <c>log</c>; content
    /// <c>{status, exit_code?, run_s?, rid?, body?}</c>, status <c>up</c>, <c>started</c>, <c>down</c> or <c>log</c>.
    /// </summary>
    public static Event Ping(string dashboard, string slug, string action, int? exitCode = null, double? runSeconds = null, string? rid = null, string? body = null) => new()
    {
        Dashboard = dashboard,
        Section = Pings,
        Action = action,
        Source = slug,
        Content = CompatWrites.Content(w =>
        {
            w.WriteString("status", action switch { "ping" => "up", "start" => "started", "fail" => "down", _ => "log" });
            if (exitCode is { } code)
            {
                w.WriteNumber("exit_code", code);
            }
            if (runSeconds is { } run)
            {
                w.WriteNumber("run_s", run);
            }
            if (rid is not null)
            {
                w.WriteString("rid", rid);
            }
            if (body is not null)
            {
                w.WriteString("body", body);
            }
        }),
    };

    /// <summary>An Uptime Kuma-style push: content <c>{status: "up"|"down", msg, ping}</c> (ping in ms, or null).</summary>
    public static Event PushOf(string dashboard, string slug, string status, string msg, double? ping) => new()
    {
        Dashboard = dashboard,
        Section = Push,
        Action = "push",
        Source = slug,
        Content = CompatWrites.Content(w =>
        {
            w.WriteString("status", status);
            w.WriteString("msg", msg);
            if (ping is { } ms)
            {
                w.WriteNumber("ping", ms);
            }
            else
            {
                w.WriteNull("ping");
            }
        }),
    };

    /// <summary>
    /// One Pushgateway sample: action the metric name, source the job, content <c>{value, shown, labels}</c>; a value
    /// that JSON cannot hold (<c>NaN</c>, <c>+Inf</c>, <c>-Inf</c>) is written as that text. <c>shown</c> is what a
    /// page shows: the value, or for a metric named <c>*_timestamp_seconds</c> (Unix seconds, by Prometheus' naming
    /// convention: a job's last success, say) the UTC time it stands for, as <c>2026-12-01 22:04:50Z</c>.
    /// </summary>
    public static Event Sample(string dashboard, string job, string name, double value, IReadOnlyList<KeyValuePair<string, string>> labels) => new()
    {
        Dashboard = dashboard,
        Section = Metrics,
        Action = name,
        Source = job,
        Content = CompatWrites.Content(w =>
        {
            if (double.IsFinite(value))
            {
                w.WriteNumber("value", value);
                if (AsTime(name, value) is { } time)
                {
                    w.WriteString("shown", time);
                }
                else
                {
                    w.WriteNumber("shown", value);
                }
            }
            else
            {
                var text = double.IsNaN(value) ? "NaN" : value > 0 ? "+Inf" : "-Inf";
                w.WriteString("value", text);
                w.WriteString("shown", text);
            }
            WriteLabels(w, labels);
        }),
    };

    /// <summary>The UTC time a <c>*_timestamp_seconds</c> sample stands for; null for any other metric or a value outside years 1970–9999.</summary>
    internal static string? AsTime(string name, double value) =>
        name.EndsWith("_timestamp_seconds", StringComparison.Ordinal) && value is >= 0 and < 253402300800
            ? DateTimeOffset.FromUnixTimeMilliseconds((long)(value * 1000)).UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture)
            : null;

    /// <summary>A Pushgateway group deleted (<c>DELETE</c>, or a <c>PUT</c> of nothing): content <c>{labels}</c>, the grouping key.</summary>
    public static Event Deleted(string dashboard, string job, IReadOnlyList<KeyValuePair<string, string>> grouping) => new()
    {
        Dashboard = dashboard,
        Section = Metrics,
        Action = GroupDeleted,
        Source = job,
        Content = CompatWrites.Content(w => WriteLabels(w, grouping)),
    };

    private static void WriteLabels(Utf8JsonWriter w, IReadOnlyList<KeyValuePair<string, string>> labels)
    {
        w.WriteStartObject("labels");
        foreach (var (name, value) in labels)
        {
            w.WriteString(name, value);
        }
        w.WriteEndObject();
    }
}
