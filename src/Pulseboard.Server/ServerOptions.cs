using Pulseboard.Log;

namespace Pulseboard.Server;

/// <summary>How <c>pulseboard serve</c> listens and where it keeps its data.</summary>
public sealed class ServerOptions
{
    /// <summary>The address to listen on, as ASP.NET's <c>--urls</c>. Default <c>http://127.0.0.1:5080</c>.</summary>
    public string Urls { get; init; } = "http://127.0.0.1:5080";

    /// <summary>The data folder: the log and the caches. Default <c>./data</c>.</summary>
    public string DataDirectory { get; init; } = "./data";

    /// <summary>
    /// The event log on NATS JetStream, <c>nats://host:port</c>, comma-separated for a cluster; default null: the file
    /// log under <see cref="DataDirectory"/> (which keeps the caches either way). Shorthand for <see cref="JetStream"/>
    /// with every other option at its default.
    /// </summary>
    public string? Log { get; init; }

    /// <summary>
    /// With the JetStream log: how long the alert lease outlives its holder's last renew (renewed every third of it), so
    /// how long alert notices may wait when the notifying node dies. Used when this node creates the lease bucket; once it
    /// exists, the bucket's max age is every node's TTL. Default 10 s; at least 1 s.
    /// </summary>
    public TimeSpan AlertLeaseTtl { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The event log on NATS JetStream with its stream, replicas and login; default null: <see cref="Log"/>, else the
    /// file log. Its <c>MaxEventBytes</c> is replaced by <see cref="MaxEventBytes"/>.
    /// </summary>
    public Pulseboard.Log.JetStream.JetStreamEventLogOptions? JetStream { get; init; }

    /// <summary>The dashboard definitions. Default <c>./dashboards</c>.</summary>
    public string DashboardsDirectory { get; init; } = "./dashboards";

    /// <summary>When appends are acknowledged. Default <see cref="Durability.None"/> (<c>?durable=true</c> asks for an fsync).</summary>
    public Durability Durability { get; init; } = Durability.None;

    /// <summary>The largest request body accepted, in bytes. Default 8 MiB.</summary>
    public long MaxBodyBytes { get; init; } = 8L * 1024 * 1024;

    /// <summary>The most events in one request. Default 100,000.</summary>
    public int MaxEventsPerRequest { get; init; } = 100_000;

    /// <summary>
    /// The bearer tokens as JSON (see <c>Tokens</c>): <c>[{"name", "token", "dashboards": [globs], "read"}]</c>. Null
    /// for none: then the server listens on loopback only. Default null.
    /// </summary>
    public string? TokensJson { get; init; }

    /// <summary>Where <see cref="TokensJson"/> came from, for messages (a file name, or <c>PULSEBOARD_TOKENS</c>).</summary>
    public string TokensOrigin { get; init; } = "tokens";

    /// <summary>
    /// <c>--demo</c>: writes the sample dashboards to <see cref="DashboardsDirectory"/> when it holds none, and runs
    /// simulated agents inside the server. Default false.
    /// </summary>
    public bool Demo { get; init; }

    /// <summary>
    /// The dashboard the Healthchecks-, Uptime Kuma- and Pushgateway-compatible endpoints write to (<c>/ping/…</c>,
    /// <c>/api/push/…</c>, <c>/metrics/job/…</c>; the CLI's <c>serve --checks</c>). Default <c>checks</c>.
    /// </summary>
    public string ChecksDashboard { get; init; } = "checks";

    /// <summary>Where the renderer's pages and assets are. Default the <c>renderer</c> folder beside the program.</summary>
    public string RendererDirectory { get; init; } = Path.Combine(AppContext.BaseDirectory, "renderer");

    /// <summary>How often an idle Server-Sent Events stream sends a comment, so proxies keep it open. Default 15 s.</summary>
    public TimeSpan SseKeepAlive { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// The clock the server reads: the projector's status and lag, <c>/metrics</c>, Server-Sent Events keep-alives, the
    /// demo's agents. Default <see cref="TimeProvider.System"/>; tests pass a fake one and move it.
    /// </summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>
    /// notifiers.yaml: where alert notices go (webhook, slack, ntfy, alertmanager) with their secrets; the CLI's
    /// <c>--notifiers</c> or <c>PULSEBOARD_NOTIFIERS</c>. Null for none: notices are still written to the outbox, and
    /// given up (counted and logged) for want of a notifier. Default null.
    /// </summary>
    public string? NotifiersPath { get; init; }

    /// <summary>
    /// The address readers reach the pages at (a reverse proxy, a load balancer in front of several nodes), e.g.
    /// <c>https://pulse.example.com</c>: the links in alert notices start with it. Default null: the first address the
    /// server listens on.
    /// </summary>
    public string? PublicUrl { get; init; }

    /// <summary>The largest event, in bytes of JSON. Default 64 KiB.</summary>
    public int MaxEventBytes { get; init; } = EventRules.DefaultMaxEventBytes;

    /// <summary>
    /// How long the projector gathers appends before a cycle; default 25 ms. Internal: tests on a fake clock set zero, so
    /// a cycle follows an append without the clock being moved.
    /// </summary>
    internal TimeSpan ProjectorDebounce { get; init; } = TimeSpan.FromMilliseconds(25);

    /// <summary>Checks every value once, when the server is built, with a message that says how to fix it.</summary>
    internal void Validate()
    {
        if (string.IsNullOrWhiteSpace(Urls))
        {
            throw new ArgumentException("Urls is required: the address to listen on, e.g. http://127.0.0.1:5080 (the CLI's --urls).", nameof(Urls));
        }
        if (string.IsNullOrWhiteSpace(DataDirectory))
        {
            throw new ArgumentException("DataDirectory is required: the folder for the log and the caches (the CLI's --data, default ./data).", nameof(DataDirectory));
        }
        if (string.IsNullOrWhiteSpace(DashboardsDirectory))
        {
            throw new ArgumentException("DashboardsDirectory is required: the folder of dashboards/*.yaml (the CLI's --dashboards, default ./dashboards).", nameof(DashboardsDirectory));
        }
        if (!EventRules.IsSlug(ChecksDashboard ?? ""))
        {
            throw new ArgumentException($"ChecksDashboard {EventRules.Quote(ChecksDashboard ?? "")} is not a slug ({EventRules.SlugPattern}); the default is checks (the CLI's --checks).", nameof(ChecksDashboard));
        }
        if (PublicUrl is not null && (!Uri.TryCreate(PublicUrl, UriKind.Absolute, out var page) || (page.Scheme != Uri.UriSchemeHttp && page.Scheme != Uri.UriSchemeHttps) || page.UserInfo.Length > 0 || page.Query.Length > 0))
        {
            throw new ArgumentException($"PublicUrl {EventRules.Quote(PublicUrl)} is not an absolute http:// or https:// address without a login or query, e.g. https://pulse.example.com (the CLI's --public-url).", nameof(PublicUrl));
        }
        if (MaxEventBytes < 256)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxEventBytes), MaxEventBytes, "MaxEventBytes must be at least 256; the default is 65536.");
        }
        if (MaxBodyBytes < MaxEventBytes)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxBodyBytes), MaxBodyBytes, $"MaxBodyBytes must hold at least one event of MaxEventBytes ({MaxEventBytes}); the default is 8 MiB.");
        }
        if (MaxEventsPerRequest < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxEventsPerRequest), MaxEventsPerRequest, "MaxEventsPerRequest must be at least 1; the default is 100,000.");
        }
        if (SseKeepAlive <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(SseKeepAlive), SseKeepAlive, "SseKeepAlive must be positive; the default is 15 s.");
        }
        if (AlertLeaseTtl < TimeSpan.FromSeconds(1) || AlertLeaseTtl > TimeSpan.FromHours(1))
        {
            throw new ArgumentOutOfRangeException(nameof(AlertLeaseTtl), AlertLeaseTtl, "AlertLeaseTtl must be 1 s to 1 h; the default is 10 s (the CLI's --alert-lease-ttl).");
        }
        ArgumentNullException.ThrowIfNull(TimeProvider, nameof(TimeProvider));
    }
}
