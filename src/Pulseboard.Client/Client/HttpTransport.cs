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
/// Every event without an id gets one (<see cref="HttpTransportOptions.ClientId"/> and a counter) before its first
/// attempt, so a retry of a batch the server did store is acknowledged, not stored twice. The spool is NDJSON in
/// <see cref="HttpTransportOptions.SpoolDirectory"/>; it is sent, oldest first, before each new batch once the server
/// answers. Used by one <see cref="PulseboardClient"/> writer at a time.
/// </remarks>
public sealed class HttpTransport : IEventTransport, IReportsDrops
{
    private const int SpoolChunkBytes = 4 * 1024 * 1024;
    private readonly HttpTransportOptions _options;
    private readonly HttpClient _http;
    private readonly Uri _endpoint;
    private readonly string? _spool;
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
        }
    }

    /// <inheritdoc/>
    public void ReportDropped(long total) => Interlocked.Exchange(ref _dropped, total);

    /// <summary>Bytes waiting in the spool.</summary>
    public long SpooledBytes => _spool is not null && File.Exists(_spool) ? new FileInfo(_spool).Length : 0;

    /// <inheritdoc/>
    public async ValueTask<IReadOnlyList<AppendOutcome>> SendAsync(IReadOnlyList<Event> events, bool flushToDisk, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(events);
        var withIds = events.Select(e => e.Id is null ? e.WithId($"{_options.ClientId}-{Interlocked.Increment(ref _counter)}") : e).ToList();
        var body = Ndjson(withIds);
        if (!await SendSpoolAsync(cancellationToken).ConfigureAwait(false))
        {
            return Spool(body, withIds.Count); // the server is still away: keep the order, behind what waits
        }
        try
        {
            return await PostAsync(body, withIds.Count, flushToDisk, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsUnreachable(ex))
        {
            return _spool is not null ? Spool(body, withIds.Count) : throw new HttpRequestException(
                $"The server at {_options.Server} cannot be reached ({ex.Message}); no spool is configured, so the batch was not stored.", ex);
        }
    }

    /// <summary>Sends what waits in the spool; false when the server is still unreachable (the spool stays).</summary>
    public async Task<bool> SendSpoolAsync(CancellationToken cancellationToken = default)
    {
        if (_spool is null || !File.Exists(_spool))
        {
            return true;
        }
        var body = await File.ReadAllBytesAsync(_spool, cancellationToken).ConfigureAwait(false);
        if (body.Length == 0)
        {
            File.Delete(_spool);
            return true;
        }
        // In chunks the server takes (its body limit is 8 MiB by default), cut at line ends.
        for (var start = 0; start < body.Length;)
        {
            var end = Math.Min(body.Length, start + SpoolChunkBytes);
            if (end < body.Length)
            {
                end = Array.LastIndexOf(body, (byte)'\n', end - 1, end - start) + 1;
                end = end <= start ? Array.IndexOf(body, (byte)'\n', start) + 1 : end;
            }
            var chunk = body[start..end];
            try
            {
                await PostAsync(chunk, chunk.Count(b => b == (byte)'\n'), flushToDisk: false, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (IsUnreachable(ex))
            {
                return false; // chunks already sent go again next time; their ids make that harmless
            }
            start = end;
        }
        File.Delete(_spool); // sent (events the server refused are refused for good; ids make a repeat harmless)
        return true;
    }

    private AppendOutcome[] Spool(byte[] body, int count)
    {
        var path = _spool ?? throw new InvalidOperationException("Spool called without a spool folder.");
        if (SpooledBytes + body.Length > _options.SpoolMaxBytes)
        {
            var full = new EventError("", $"event: the server at {_options.Server} is unreachable and the spool is full ({_options.SpoolMaxBytes} bytes); it was dropped");
            return Enumerable.Repeat(AppendOutcome.Rejected(full), count).ToArray();
        }
        using (var file = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.None))
        {
            file.Write(body);
            file.Flush(flushToDisk: true); // the point of the spool is to survive the agent
        }
        return Enumerable.Repeat(AppendOutcome.InSpool, count).ToArray();
    }

    private async Task<IReadOnlyList<AppendOutcome>> PostAsync(byte[] body, int count, bool flushToDisk, CancellationToken cancellationToken)
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
                if (attempt >= _options.MaxAttempts)
                {
                    throw new HttpRequestException($"The server answered {(int)response.StatusCode} {attempt} times; giving up on this batch.", null, response.StatusCode);
                }
            }
            catch (Exception ex) when (IsUnreachable(ex) && attempt < _options.MaxAttempts && !cancellationToken.IsCancellationRequested)
            {
                // Retried below: the ids make a repeat of a batch the server did store harmless.
            }
            finally
            {
                response?.Dispose();
            }
            await Task.Delay(delay, _options.TimeProvider, cancellationToken).ConfigureAwait(false);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(5).Ticks));
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
