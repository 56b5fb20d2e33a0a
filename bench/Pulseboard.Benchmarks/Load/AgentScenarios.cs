using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Pulseboard.Client;
using Pulseboard.Samples;

namespace Pulseboard.Benchmarks.Load;

/// <summary>
/// N simulated agents against the server for a set time, each in a closed loop (the next append once the last is
/// answered): single-event POSTs, NDJSON batches, or the SDK's <see cref="PulseboardClient"/> over HTTP. A
/// <see cref="CacheProbe"/> runs beside them for append-to-cache under that load.
/// </summary>
internal static class AgentScenarios
{
    /// <summary>
    /// 4,096 events that feed every sample dashboard (<see cref="SampleTraffic"/>), except the costs alerts the probe
    /// watches: a load event there could push a probe's marker out of the list before its frame is read.
    /// </summary>
    public static Event[] Pool { get; } = Enumerable.Range(0, 4096 * 9 / 8 + 9)
        .Where(i => i % 9 != 1)
        .Take(4096)
        .Select(i => WithoutTime(SampleTraffic.Make(i)))
        .ToArray();

    /// <summary>The log stamps the time of receipt: the samples' own times run weeks past today and would age the heartbeats.</summary>
    private static Event WithoutTime(Event e) => new()
    {
        Dashboard = e.Dashboard, Section = e.Section, Action = e.Action, Content = e.Content, Priority = e.Priority, Source = e.Source,
    };

    /// <summary>
    /// Each agent on its own keep-alive connection (<see cref="RawHttpConnection"/>), posting the next body once the
    /// last is answered: one event as JSON when <paramref name="batch"/> is 1, else NDJSON of that many. With
    /// <paramref name="rate"/> the agents together post about that many requests a second (each paced by a timer),
    /// else as fast as the server answers.
    /// </summary>
    public static async Task<LoadResult> HttpAsync(LoadServer server, LoadOptions options, string name, int agents, int batch, double? rate = null, double? seconds = null)
    {
        var duration = seconds ?? options.Seconds;
        var limit = seconds is null ? options.Events ?? long.MaxValue : long.MaxValue; // the warm-up runs for its time
        var lines = Pool.Select(e => Encoding.UTF8.GetString(EventJson.ToUtf8(e))).ToArray();
        var bodies = batch == 1
            ? lines.Select(Encoding.UTF8.GetBytes).ToArray()
            : Enumerable.Range(0, 16).Select(b => Encoding.UTF8.GetBytes(string.Join('\n', Enumerable.Range(b * batch, batch).Select(i => lines[i % lines.Length])))).ToArray();
        var type = batch == 1 ? "application/json" : "application/x-ndjson";
        var requests = bodies.Select(body => RawHttpConnection.Request("POST", server.Url, "/api/events", type, options.Token, body)).ToArray();
        var result = new LoadResult(name, agents).With("events_per_request", batch);
        if (rate is { } perSecond)
        {
            result.With("target_requests_per_s", perSecond);
        }
        var histograms = new LatencyHistogram[agents];
        long events = 0, sent = 0, errors = 0;
        string? firstError = null;
        var probe = CacheProbe.Start(server.Http, result);
        await using (new ProgressLine(name, duration, () => (Interlocked.Read(ref events), Interlocked.Read(ref errors))))
        await using (probe)
        {
            var until = Stopwatch.GetTimestamp() + (long)(duration * Stopwatch.Frequency);
            var started = Stopwatch.GetTimestamp();
            await Task.WhenAll(Enumerable.Range(0, agents).Select(a => Task.Run(async () =>
            {
                var histogram = histograms[a] = new LatencyHistogram();
                using var pace = rate is { } r ? new PeriodicTimer(TimeSpan.FromSeconds(agents / r)) : null;
                using var connection = await RawHttpConnection.OpenAsync(server.Url).ConfigureAwait(false);
                for (var n = a; Stopwatch.GetTimestamp() < until && Interlocked.Read(ref events) < limit; n += agents)
                {
                    if (pace is not null)
                    {
                        await pace.WaitForNextTickAsync().ConfigureAwait(false);
                    }
                    var t0 = Stopwatch.GetTimestamp();
                    int status;
                    ReadOnlyMemory<byte> body;
                    try
                    {
                        (status, body) = await connection.SendAsync(requests[n % requests.Length]).ConfigureAwait(false);
                    }
                    catch (Exception e) when (e is IOException or SocketException)
                    {
                        Interlocked.Increment(ref errors);
                        Interlocked.CompareExchange(ref firstError, e.Message, null);
                        return; // the connection is gone: this agent stops, the error is reported
                    }
                    histogram.RecordTicks(Stopwatch.GetTimestamp() - t0);
                    Interlocked.Increment(ref sent);
                    if (status == 202)
                    {
                        Interlocked.Add(ref events, Accepted(body.Span));
                    }
                    else
                    {
                        Interlocked.Increment(ref errors);
                        Interlocked.CompareExchange(ref firstError, $"{status}: {Encoding.UTF8.GetString(body.Span)}", null);
                    }
                }
            }))).ConfigureAwait(false);
            result.Seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        }
        foreach (var histogram in histograms)
        {
            result.Latency.Add(histogram);
        }
        result.Events = events;
        result.Requests = sent;
        result.Errors = errors + probe.Failures;
        result.ProbeEvents = probe.Acknowledged;
        Report(firstError);
        return result;
    }

    /// <summary>The <c>accepted</c> count of an ingest answer.</summary>
    private static long Accepted(ReadOnlySpan<byte> body)
    {
        var reader = new Utf8JsonReader(body);
        while (reader.Read())
        {
            if (reader.TokenType == JsonTokenType.PropertyName && reader.ValueTextEquals("accepted"u8) && reader.Read())
            {
                return reader.GetInt64();
            }
        }
        throw new InvalidDataException($"An ingest answer without 'accepted': {Encoding.UTF8.GetString(body)}");
    }

    /// <summary>
    /// One <see cref="PulseboardClient"/> over <see cref="HttpTransport"/> per agent, as an agent would hold one: each
    /// appends 1,000 events (each <c>Append</c> call timed on its own), then awaits <c>FlushAsync</c>, so the queue
    /// never overflows and what is measured is delivery, not dropping.
    /// </summary>
    public static async Task<LoadResult> SdkAsync(LoadServer server, LoadOptions options)
    {
        var seconds = options.Seconds;
        var limit = options.Events ?? long.MaxValue;
        const int burst = 1000;
        var agents = options.Agents;
        var result = new LoadResult("sdk", agents) { LatencyOf = "call" };
        var clients = Enumerable.Range(0, agents).Select(a => new PulseboardClient(
            new HttpTransport(new HttpTransportOptions { Server = server.Url, Token = options.Token, ClientId = $"load-{a}-{Guid.NewGuid():N}"[..20] }))).ToArray();
        var histograms = new LatencyHistogram[agents];
        long Delivered() => clients.Sum(c => c.Delivered);
        long Lost() => clients.Sum(c => c.Dropped + c.Failed + c.Rejected + c.Invalid);
        var probe = CacheProbe.Start(server.Http, result);
        await using (new ProgressLine("sdk", seconds, () => (Delivered(), Lost())))
        await using (probe)
        {
            var until = Stopwatch.GetTimestamp() + (long)(seconds * Stopwatch.Frequency);
            var started = Stopwatch.GetTimestamp();
            await Task.WhenAll(Enumerable.Range(0, agents).Select(a => Task.Run(async () =>
            {
                var histogram = histograms[a] = new LatencyHistogram();
                var client = clients[a];
                for (var n = a; Stopwatch.GetTimestamp() < until && Delivered() < limit;)
                {
                    for (var k = 0; k < burst; k++, n += agents)
                    {
                        var e = Pool[n % Pool.Length];
                        var t0 = Stopwatch.GetTimestamp();
                        client.Append(e);
                        histogram.RecordTicks(Stopwatch.GetTimestamp() - t0);
                    }
                    await client.FlushAsync().ConfigureAwait(false);
                }
            }))).ConfigureAwait(false);
            result.Seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        }
        foreach (var histogram in histograms)
        {
            result.Latency.Add(histogram);
        }
        result.Events = Delivered();
        result.Errors = Lost() + probe.Failures;
        result.ProbeEvents = probe.Acknowledged;
        result.Requests = result.Latency.Count; // Append calls
        result.With("dropped", clients.Sum(c => c.Dropped)).With("failed", clients.Sum(c => c.Failed)).With("rejected", clients.Sum(c => c.Rejected));
        foreach (var client in clients)
        {
            await client.DisposeAsync().ConfigureAwait(false);
        }
        return result;
    }

    private static void Report(string? firstError)
    {
        if (firstError is not null)
        {
            Console.Error.WriteLine($"  first error: {(firstError.Length > 300 ? firstError[..300] + "..." : firstError)}");
        }
    }
}
