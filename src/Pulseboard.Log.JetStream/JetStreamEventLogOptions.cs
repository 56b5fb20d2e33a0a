namespace Pulseboard.Log.JetStream;

/// <summary>How <see cref="JetStreamEventLog"/> reaches its stream and what the stream keeps.</summary>
/// <remarks>Validated once by <see cref="JetStreamEventLog.OpenAsync"/>, with a message that says how to fix a value.</remarks>
public sealed class JetStreamEventLogOptions
{
    private static readonly System.Buffers.SearchValues<char> s_notInName = System.Buffers.SearchValues.Create(". *>\t\r\n");

    /// <summary>
    /// The NATS servers, <c>nats://host:port</c>, comma-separated for a cluster; <c>nats://user:password@host:port</c>
    /// logs in (messages never show the password). Required.
    /// </summary>
    public string Urls { get; init; } = "";

    /// <summary>The stream's name. Default <c>PULSEBOARD</c>.</summary>
    public string Stream { get; init; } = "PULSEBOARD";

    /// <summary>
    /// Copies of each event the cluster keeps; an append is acknowledged by a quorum of them. Default null: an existing
    /// stream keeps its count; a new one gets 3 when the server reports a cluster of three or more servers, else 1.
    /// Given, and an existing stream has another count, opening fails (change it on purpose with <c>nats stream edit</c>).
    /// </summary>
    public int? Replicas { get; init; }

    /// <summary>A NATS <c>.creds</c> file (a user JWT and its nkey seed) to log in with. Default null: none.</summary>
    public string? CredsFile { get; init; }

    /// <summary>
    /// How long the stream keeps an event (retention, per event), for a stream opening creates; an existing stream keeps
    /// its own. Default 7 days, like the file log.
    /// </summary>
    public TimeSpan MaxAge { get; init; } = TimeSpan.FromDays(7);

    /// <summary>
    /// How long a repeated id is answered with its original seq (past it the id is stored again), for a stream opening
    /// creates; an existing stream keeps its own. Default 10 minutes.
    /// </summary>
    public TimeSpan DuplicateWindow { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>The largest event, serialized, that is stored. Default 65536, like the file log.</summary>
    public int MaxEventBytes { get => _maxEventBytes; init => _maxEventBytes = value; }

    private int _maxEventBytes = EventRules.DefaultMaxEventBytes;

    /// <summary>
    /// How long an append keeps retrying, with the same <c>Nats-Msg-Id</c>, while no quorum acknowledges (a server
    /// down, a leader election) before it gives up with a <see cref="LogWriteException"/> whose
    /// <see cref="LogWriteException.RetryAfter"/> is set (HTTP 503). Default 10 seconds: under a typical HTTP client's
    /// timeout, over the few seconds an election takes.
    /// </summary>
    public TimeSpan UnavailableAfter { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>A copy of these options, every one of them, with <see cref="MaxEventBytes"/> replaced.</summary>
    internal JetStreamEventLogOptions WithMaxEventBytes(int maxEventBytes)
    {
        var copy = (JetStreamEventLogOptions)MemberwiseClone();
        copy._maxEventBytes = maxEventBytes;
        return copy;
    }

    internal string[] Servers => Urls.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary><see cref="Urls"/> as messages show them: a password in a URL becomes <c>***</c>.</summary>
    internal string Shown => string.Join(',', Servers.Select(Redact));

    /// <summary>Hides the password (or token) of <c>nats://user:password@host</c>; anything else is shown as given.</summary>
    internal static string Redact(string url)
    {
        var at = url.IndexOf('@', StringComparison.Ordinal);
        var scheme = url.IndexOf("://", StringComparison.Ordinal);
        if (at < 0 || scheme < 0 || at < scheme)
        {
            return url;
        }
        var userInfo = url[(scheme + 3)..at];
        var colon = userInfo.IndexOf(':', StringComparison.Ordinal);
        var shown = colon < 0 ? "***" : userInfo[..colon] + ":***";
        return string.Concat(url.AsSpan(0, scheme + 3), shown, url.AsSpan(at));
    }

    /// <summary>The passwords (and tokens) in <see cref="Urls"/>, to take out of a message that came from elsewhere.</summary>
    internal IEnumerable<string> Secrets()
    {
        foreach (var url in Servers)
        {
            if (Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.UserInfo.Length > 0)
            {
                var colon = uri.UserInfo.IndexOf(':', StringComparison.Ordinal);
                var secret = colon < 0 ? uri.UserInfo : uri.UserInfo[(colon + 1)..];
                if (secret.Length > 0)
                {
                    yield return secret;
                    yield return Uri.UnescapeDataString(secret);
                }
            }
        }
    }

    /// <summary><paramref name="message"/> without any password of <see cref="Urls"/> in it.</summary>
    internal string Scrub(string message)
    {
        foreach (var secret in Secrets())
        {
            message = message.Replace(secret, "***", StringComparison.Ordinal);
        }
        return message;
    }

    internal void Validate()
    {
        var servers = Servers;
        if (servers.Length == 0)
        {
            throw new ArgumentException("Urls is required: nats://host:port, comma-separated for a cluster.", nameof(Urls));
        }
        foreach (var url in servers)
        {
            if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme != "nats" || string.IsNullOrEmpty(uri.Host))
            {
                throw new ArgumentException($"Urls: \"{Redact(url)}\" is not nats://host:port.", nameof(Urls));
            }
        }
        if (Stream.Length == 0 || Stream.AsSpan().IndexOfAny(s_notInName) >= 0)
        {
            throw new ArgumentException("Stream must be a name without dots, spaces, '*' or '>'; the default is PULSEBOARD.", nameof(Stream));
        }
        if (Replicas is < 1 or > 5)
        {
            throw new ArgumentOutOfRangeException(nameof(Replicas), Replicas, "Replicas (--replicas, PULSEBOARD_REPLICAS) must be a number from 1 to 5 (JetStream's limit); use 3 on a cluster of three or more servers.");
        }
        if (CredsFile is { } creds && !File.Exists(creds))
        {
            throw new ArgumentException($"CredsFile: {creds}: no such file; give the .creds file of a NATS user (nsc generate creds).", nameof(CredsFile));
        }
        if (MaxAge <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxAge), MaxAge, "MaxAge must be positive; the default is 7 days.");
        }
        if (DuplicateWindow <= TimeSpan.Zero || DuplicateWindow > MaxAge)
        {
            throw new ArgumentOutOfRangeException(nameof(DuplicateWindow), DuplicateWindow, "DuplicateWindow must be positive and at most MaxAge; the default is 10 minutes.");
        }
        if (UnavailableAfter <= TimeSpan.Zero || UnavailableAfter > TimeSpan.FromMinutes(5))
        {
            throw new ArgumentOutOfRangeException(nameof(UnavailableAfter), UnavailableAfter, "UnavailableAfter must be positive and at most 5 minutes; keep it under your HTTP clients' timeout (the default is 10 seconds).");
        }
        if (MaxEventBytes < 256)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxEventBytes), MaxEventBytes, "MaxEventBytes must be at least 256; the default is 65536.");
        }
    }
}
