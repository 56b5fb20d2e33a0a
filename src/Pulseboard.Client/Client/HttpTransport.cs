using System.Buffers;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace Pulseboard.Client;

/// <summary>The server answered that it will never take this batch as sent (401, 403, 413, 415): retrying cannot help.</summary>
public sealed class HttpTransportException(string message, HttpStatusCode status) : Exception(message)
{
    /// <summary>The server's answer.</summary>
    public HttpStatusCode Status { get; } = status;
}

/// <summary>
/// The client's HTTP transport: batches go to <c>POST /api/events</c> as NDJSON, are retried with backoff, and wait in
/// a bounded disk spool when the server cannot be reached.
/// </summary>
/// <remarks>
/// <para>
/// Every event without an id gets one (<see cref="HttpTransportOptions.ClientId"/> and a counter) before its first
/// attempt, so a retry of a batch the server did store is acknowledged, not stored twice.
/// </para>
/// <para>
/// The spool is NDJSON in <see cref="HttpTransportOptions.SpoolDirectory"/>. After a failed delivery the server counts
/// as down until a backoff expires (the first <see cref="HttpTransportOptions.FirstBackoff"/>, doubling up to 5 s):
/// meanwhile, and whenever the spool holds events, a new batch is appended to the spool without a network attempt,
/// so the order is kept. A <see cref="PulseboardClient"/>'s writer drains the spool, oldest first, as soon as the
/// backoff expires, with or without new events, and tells its listener of spooled events the server refuses; used
/// without a client, call <see cref="SendSpoolAsync"/>.
/// </para>
/// <para>
/// Used by one <see cref="PulseboardClient"/> writer at a time: members are not safe to call concurrently, except
/// <see cref="SpooledBytes"/> and <see cref="ReportDropped"/>.
/// </para>
/// </remarks>
public sealed partial class HttpTransport : IEventTransport, IReportsDrops, ISpoolingTransport
{
    private static readonly TimeSpan s_maxBackoff = TimeSpan.FromSeconds(5);
    private readonly HttpTransportOptions _options;
    private readonly HttpClient _http;
    private readonly Uri _endpoint;
    private long _counter;
    private long _dropped;

    /// <summary>Creates the transport.</summary>
    public HttpTransport(HttpTransportOptions options)
    {
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _http = new HttpClient(options.Handler ?? new SocketsHttpHandler(), disposeHandler: options.Handler is null)
        {
            Timeout = TimeSpan.FromSeconds(30),
        };
        _endpoint = new Uri(options.Server, "/api/events");
        if (options.SpoolDirectory is { } folder)
        {
            Directory.CreateDirectory(folder);
            _spool = Path.Combine(Path.GetFullPath(folder), "spool.ndjson");
            SetSpool(File.Exists(_spool) ? new FileInfo(_spool).Length : 0, sent: 0); // left by an earlier run: it goes first
        }
    }

    /// <inheritdoc/>
    public void ReportDropped(long total) => Interlocked.Exchange(ref _dropped, total);

    /// <inheritdoc/>
    public async ValueTask<IReadOnlyList<AppendOutcome>> SendAsync(IReadOnlyList<Event> events, bool flushToDisk, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(events);
        var withIds = events.Select(e => e.Id is null ? e.WithId($"{_options.ClientId}-{Interlocked.Increment(ref _counter)}") : e).ToList();
        var body = Ndjson(withIds);
        if (_spool is not null && (SpooledBytes > 0 || IsDown))
        {
            // Behind what waits, or the server failed a moment ago: no network attempt until the backoff expires, so
            // a dead server costs the writer an append to a file per batch, not a retry cycle and a read of the spool.
            return Spool(body, withIds.Count);
        }
        try
        {
            var outcomes = await PostAsync(body, withIds.Count, flushToDisk, _options.MaxAttempts, cancellationToken).ConfigureAwait(false);
            MarkUp();
            return outcomes;
        }
        catch (Exception ex) when (IsUnreachable(ex))
        {
            if (_spool is null)
            {
                throw new HttpRequestException(
                    $"The server at {_options.Server} cannot be reached ({ex.Message}); no spool is configured, so the batch was not stored.", ex);
            }
            MarkDown();
            return Spool(body, withIds.Count);
        }
    }

    private async Task<IReadOnlyList<AppendOutcome>> PostAsync(byte[] body, int count, bool flushToDisk, int maxAttempts, CancellationToken cancellationToken)
    {
        var uri = new Uri(_endpoint, flushToDisk ? "?positions=true&durable=true" : "?positions=true");
        var delay = _options.FirstBackoff;
        for (var attempt = 1; ; attempt++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, uri) { Content = new ByteArrayContent(body) };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/x-ndjson");
            if (_options.Token is { } token)
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            }
            // The client's drops travel with its events, so the server's /metrics shows what agents lost.
            request.Headers.Add("Pulseboard-Client", _options.ClientId);
            request.Headers.Add("Pulseboard-Client-Dropped", Interlocked.Read(ref _dropped).ToString(System.Globalization.CultureInfo.InvariantCulture));
            HttpResponseMessage? response = null;
            try
            {
                response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
                if (response.StatusCode is HttpStatusCode.Accepted or HttpStatusCode.BadRequest)
                {
                    return await ReadOutcomesAsync(response, count, cancellationToken).ConfigureAwait(false);
                }
                if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden
                    or HttpStatusCode.RequestEntityTooLarge or HttpStatusCode.UnsupportedMediaType)
                {
                    throw new HttpTransportException(
                        $"The server refused the batch: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false)}",
                        response.StatusCode);
                }
                if (attempt >= maxAttempts)
                {
                    throw new HttpRequestException($"The server answered {(int)response.StatusCode} {attempt} times; giving up on this batch.", null, response.StatusCode);
                }
            }
            catch (Exception ex) when (IsUnreachable(ex) && attempt < maxAttempts && !cancellationToken.IsCancellationRequested)
            {
                // Retried below: the ids make a repeat of a batch the server did store harmless.
            }
            finally
            {
                response?.Dispose();
            }
            await Task.Delay(delay, _options.TimeProvider, cancellationToken).ConfigureAwait(false);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, s_maxBackoff.Ticks));
        }
    }

    private static bool IsUnreachable(Exception ex) =>
        ex is HttpRequestException { StatusCode: null or >= HttpStatusCode.InternalServerError } || (ex is TaskCanceledException t && t.InnerException is TimeoutException);

    private static async Task<IReadOnlyList<AppendOutcome>> ReadOutcomesAsync(HttpResponseMessage response, int count, CancellationToken cancellationToken)
    {
        var outcomes = new AppendOutcome[count];
        using var document = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false), default, cancellationToken).ConfigureAwait(false);
        var root = document.RootElement;
        if (root.TryGetProperty("positions", out var positions))
        {
            var i = 0;
            foreach (var position in positions.EnumerateArray())
            {
                if (i < count)
                {
                    outcomes[i++] = AppendOutcome.At(position.GetInt64());
                }
            }
        }
        var rejected = root.TryGetProperty("rejected", out var r) ? r : root.TryGetProperty("errors", out var e) ? e : default;
        if (rejected.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in rejected.EnumerateArray())
            {
                var index = item.GetProperty("index").GetInt32();
                if (index < count)
                {
                    outcomes[index] = AppendOutcome.Rejected(new EventError(item.GetProperty("field").GetString() ?? "", item.GetProperty("message").GetString() ?? ""));
                }
            }
        }
        return outcomes;
    }

    private static byte[] Ndjson(List<Event> events)
    {
        var buffer = new ArrayBufferWriter<byte>(events.Count * 256);
        using var writer = new Utf8JsonWriter(buffer);
        foreach (var e in events)
        {
            writer.Reset(buffer);
            EventJson.Write(writer, e);
            writer.Flush();
            buffer.Write("\n"u8);
        }
        return buffer.WrittenSpan.ToArray();
    }

    /// <inheritdoc/>
    public ValueTask DisposeAsync()
    {
        _http.Dispose();
        return ValueTask.CompletedTask;
    }
}
