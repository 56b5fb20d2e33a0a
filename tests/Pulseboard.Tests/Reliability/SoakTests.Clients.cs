using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using Pulseboard.Samples;

namespace Pulseboard.Tests.Reliability;

/// <summary>The soak's clients: agents that post, pollers that ask with an ETag, streams that read SSE frames.</summary>
public sealed partial class SoakTests
{
    private static readonly TimeSpan s_agentTick = TimeSpan.FromMilliseconds(40);
    private static readonly TimeSpan s_pollTick = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// One agent posting its share of the rate. Every fifth tick of five is a JSON array and every fifth an NDJSON batch
    /// of what is due; the other three ticks post one event each. What is due follows the clock, so a slow answer is
    /// caught up in the next batch instead of lowering the rate.
    /// </summary>
    private async Task AgentAsync(int agent, Uri url, CancellationToken end)
    {
        using var http = new HttpClient { BaseAddress = url, Timeout = TimeSpan.FromSeconds(30) };
        using var timer = new PeriodicTimer(s_agentTick);
        var perSecond = (double)EventsPerSecond / Agents;
        var started = Stopwatch.GetTimestamp();
        var sent = 0;
        for (var tick = 0; await NextTickAsync(timer, end); tick++)
        {
            var due = (int)(Stopwatch.GetElapsedTime(started).TotalSeconds * perSecond) - sent;
            if (due <= 0)
            {
                continue;
            }
            var shape = (tick % 5) switch { 3 => "array", 4 => "ndjson", _ => "single" };
            var ids = Enumerable.Range(sent, shape == "single" ? 1 : Math.Min(due, 500)).Select(n => $"a{agent}-{n}").ToList();
            var events = ids.Select((id, k) => Live(((sent + k) * Agents) + agent, id)).ToList();
            sent += ids.Count;
            Count($"POST {shape}");
            // No cancellation token: a post in flight at the end completes, so every event sent is acknowledged or failed.
            var posted = Stopwatch.GetTimestamp();
            try
            {
                using var response = await http.PostAsync("/api/events?positions=true", Body(shape, events), CancellationToken.None);
                var body = await response.Content.ReadAsStringAsync(CancellationToken.None);
                RecordLatency(Stopwatch.GetElapsedTime(posted));
                Count($"POST {(int)response.StatusCode}");
                if (response.StatusCode != HttpStatusCode.Accepted)
                {
                    Fail($"POST {shape} of {ids.Count} answered {(int)response.StatusCode}: {body}");
                    continue;
                }
                var positions = JsonDocument.Parse(body).RootElement.GetProperty("positions");
                for (var k = 0; k < ids.Count; k++)
                {
                    _acks[ids[k]] = positions[k].GetInt64();
                }
                Interlocked.Add(ref _acked, ids.Count);
            }
            catch (Exception ex)
            {
                Fail($"POST {shape} of {ids.Count} threw {ex.GetType().Name}: {ex.Message}");
            }
        }
    }

    /// <summary>A page that polls: GET with the last ETag, a few times a second; 200 with the cache or 304.</summary>
    private async Task PollerAsync(string dashboard, Uri url, CancellationToken end)
    {
        using var http = new HttpClient { BaseAddress = url, Timeout = TimeSpan.FromSeconds(30) };
        using var timer = new PeriodicTimer(s_pollTick);
        string? etag = null;
        while (await NextTickAsync(timer, end))
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/dashboards/{dashboard}");
            if (etag is not null)
            {
                request.Headers.TryAddWithoutValidation("If-None-Match", etag);
            }
            try
            {
                using var response = await http.SendAsync(request, CancellationToken.None); // a poll in flight completes
                Count($"GET {dashboard} {(int)response.StatusCode}");
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    using var _ = JsonDocument.Parse(await response.Content.ReadAsByteArrayAsync(CancellationToken.None)); // a whole cache
                    etag = response.Headers.ETag?.Tag;
                }
                else if (response.StatusCode != HttpStatusCode.NotModified)
                {
                    Fail($"GET {dashboard} answered {(int)response.StatusCode}");
                }
            }
            catch (Exception ex)
            {
                Fail($"GET {dashboard} threw {ex.GetType().Name}: {ex.Message}");
            }
        }
    }

    /// <summary>A page that listens: one SSE stream read line by line until the end; each frame's data is a whole cache.</summary>
    private async Task StreamAsync(StreamWatch watch, Uri url, CancellationToken end)
    {
        using var http = new HttpClient { BaseAddress = url, Timeout = Timeout.InfiniteTimeSpan };
        try
        {
            using var response = await http.GetAsync($"/api/dashboards/{watch.Dashboard}/stream", HttpCompletionOption.ResponseHeadersRead, end);
            Count($"SSE {(int)response.StatusCode}");
            if (response.StatusCode != HttpStatusCode.OK)
            {
                Fail($"SSE {watch.Dashboard} answered {(int)response.StatusCode}");
                return;
            }
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(end), Encoding.UTF8);
            while (await reader.ReadLineAsync(end) is { } line)
            {
                if (line.StartsWith("data: ", StringComparison.Ordinal))
                {
                    using var _ = JsonDocument.Parse(line.AsMemory("data: ".Length));
                    watch.Frame(Quarter(Stopwatch.GetElapsedTime(_started)));
                }
            }
            Fail($"SSE {watch.Dashboard}: the server ended the stream at {Stopwatch.GetElapsedTime(_started).TotalSeconds:F1} s");
        }
        catch (OperationCanceledException) when (end.IsCancellationRequested)
        {
            watch.ConnectedAtEnd = true; // still reading when the soak ended
        }
        catch (Exception ex)
        {
            Fail($"SSE {watch.Dashboard} threw {ex.GetType().Name}: {ex.Message}");
        }
    }

    /// <summary>What one SSE client saw: frames per quarter of the run, and whether it was still connected at the end.</summary>
    private sealed class StreamWatch(string dashboard)
    {
        private readonly int[] _frames = new int[4];

        public string Dashboard { get; } = dashboard;

        public bool ConnectedAtEnd { get; set; }

        public IReadOnlyList<int> FramesByQuarter => _frames;

        public void Frame(int quarter) => Interlocked.Increment(ref _frames[quarter]);
    }

    /// <summary>
    /// A sample dashboard's event, without a timestamp: the log stamps receipt, so time sections move with the clock.
    /// The quiet dashboard gets none, so its poller sees what a page on a quiet dashboard sees: 304s.
    /// </summary>
    private static Event Live(int n, string id)
    {
        var e = SampleTraffic.Make(n);
        if (e.Dashboard == Quiet)
        {
            e = SampleTraffic.Make(n + 1);
        }
        return new Event { Dashboard = e.Dashboard, Section = e.Section, Action = e.Action, Content = e.Content, Priority = e.Priority, Source = e.Source, Id = id };
    }

    private static ByteArrayContent Body(string shape, List<Event> events)
    {
        var lines = events.Select(e => Encoding.UTF8.GetString(EventJson.ToUtf8(e)));
        var (text, type) = shape switch
        {
            "single" => (lines.Single(), "application/json"),
            "array" => ("[" + string.Join(',', lines) + "]", "application/json"),
            _ => (string.Join('\n', lines) + "\n", "application/x-ndjson"),
        };
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(text));
        content.Headers.TryAddWithoutValidation("Content-Type", type);
        return content;
    }

    /// <summary>The next tick of a steady pace, or false once the soak has ended.</summary>
    private static async Task<bool> NextTickAsync(PeriodicTimer timer, CancellationToken end)
    {
        try
        {
            return await timer.WaitForNextTickAsync(end);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
