namespace Pulseboard.Client;

/// <summary>Where and how an <see cref="HttpTransport"/> sends.</summary>
public sealed class HttpTransportOptions
{
    /// <summary>The server, e.g. <c>http://127.0.0.1:5080</c>. Required.</summary>
    public required Uri Server { get; init; }

    /// <summary>The bearer token, when the server has tokens. Default none.</summary>
    public string? Token { get; init; }

    /// <summary>
    /// A folder for events the server cannot take now (down, unreachable): they wait there, survive the agent's
    /// restart, and go out first once the server answers. Null keeps nothing: such a batch fails. Default null.
    /// </summary>
    public string? SpoolDirectory { get; init; }

    /// <summary>The most the spool holds, in bytes; past it new events are refused. Default 64 MiB.</summary>
    public long SpoolMaxBytes { get; init; } = 64L * 1024 * 1024;

    /// <summary>Attempts per batch before it goes to the spool (or fails). Default 4.</summary>
    public int MaxAttempts { get; init; } = 4;

    /// <summary>
    /// The first wait between attempts; each next one doubles, up to 5 s. After a failed delivery (with a spool) the
    /// server counts as down for this long, doubling on each failed try up to 5 s: new batches go to the spool
    /// meanwhile, without a network attempt. Default 100 ms.
    /// </summary>
    public TimeSpan FirstBackoff { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>The prefix of the ids given to events without one, so a retried batch is stored once. Default a random one per transport.</summary>
    public string ClientId { get; init; } = Guid.NewGuid().ToString("N")[..12];

    /// <summary>The clock for backoff waits and the time the server counts as down. Default the system clock.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>
    /// The address of the server running on this data folder, from the <c>server.json</c> it writes there; null when
    /// none runs (or it stopped without cleaning up).
    /// </summary>
    public static Uri? FindServer(string dataDirectory)
    {
        try
        {
            using var info = System.Text.Json.JsonDocument.Parse(File.ReadAllBytes(Path.Combine(dataDirectory, "server.json")));
            var pid = info.RootElement.GetProperty("pid").GetInt32();
            return Directory.Exists($"/proc/{pid}") ? new Uri(info.RootElement.GetProperty("url").GetString()!) : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.Text.Json.JsonException or KeyNotFoundException or InvalidOperationException or UriFormatException)
        {
            return null;
        }
    }

    /// <summary>The HTTP handler, for tests and proxies. Default a <see cref="SocketsHttpHandler"/>.</summary>
    public HttpMessageHandler? Handler { get; init; }
}
