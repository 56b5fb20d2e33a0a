using System.Diagnostics;
using System.Text;

namespace Pulseboard.Benchmarks.Load;

/// <summary>The read side under load: pages revalidating a cache, many streams on one dashboard, and a real browser.</summary>
internal static class ReaderScenarios
{
    /// <summary>
    /// N pollers, each on its own keep-alive connection in a closed loop, asking for the costs cache with its current
    /// ETag once the projector has caught up: each answer should be a 304 (a 200 would mean the cache changed).
    /// </summary>
    public static async Task<LoadResult> RevalidateAsync(LoadServer server, LoadOptions options)
    {
        var (agents, seconds) = (options.Agents, options.Seconds);
        await server.WaitCaughtUpAsync(TimeSpan.FromMinutes(2)).ConfigureAwait(false);
        var path = $"/api/dashboards/{CacheProbe.Dashboard}";
        using var first = await server.Http.GetAsync(path).ConfigureAwait(false);
        first.EnsureSuccessStatusCode();
        var etag = first.Headers.ETag ?? throw new InvalidOperationException("The cache came without an ETag.");
        var request = RawHttpConnection.Request("GET", server.Url, path, null, options.Token, [], $"If-None-Match: {etag}");
        var result = new LoadResult("revalidate", agents);
        var histograms = new LatencyHistogram[agents];
        long requests = 0, changed = 0, errors = 0;
        await using (new ProgressLine("revalidate", seconds, () => (Interlocked.Read(ref requests), Interlocked.Read(ref errors)), "requests"))
        {
            var until = Stopwatch.GetTimestamp() + (long)(seconds * Stopwatch.Frequency);
            var started = Stopwatch.GetTimestamp();
            await Task.WhenAll(Enumerable.Range(0, agents).Select(a => Task.Run(async () =>
            {
                var histogram = histograms[a] = new LatencyHistogram();
                using var connection = await RawHttpConnection.OpenAsync(server.Url).ConfigureAwait(false);
                while (Stopwatch.GetTimestamp() < until)
                {
                    var t0 = Stopwatch.GetTimestamp();
                    var (status, _) = await connection.SendAsync(request).ConfigureAwait(false);
                    histogram.RecordTicks(Stopwatch.GetTimestamp() - t0);
                    Interlocked.Increment(ref requests);
                    if (status == 200)
                    {
                        Interlocked.Increment(ref changed);
                    }
                    else if (status != 304)
                    {
                        Interlocked.Increment(ref errors);
                    }
                }
            }))).ConfigureAwait(false);
            result.Seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        }
        foreach (var histogram in histograms)
        {
            result.Latency.Add(histogram);
        }
        result.Requests = requests;
        result.Errors = errors;
        return result.With("not_modified", requests - changed - errors).With("changed", changed);
    }

    /// <summary>
    /// <paramref name="count"/> streams open on the costs dashboard, then one event: how long until each stream has the
    /// frame that carries it, from just before the POST.
    /// </summary>
    public static async Task<LoadResult> FanOutAsync(LoadServer server, int count)
    {
        var result = new LoadResult("fanout", count) { ShownAs = "append-to-every-stream" };
        await PostMarkerAsync(server.Http, "fanout-0").ConfigureAwait(false);
        var readers = new List<StreamReader>();
        var opened = Stopwatch.GetTimestamp();
        for (var i = 0; i < count; i++)
        {
            var response = await server.Http.GetAsync($"/api/dashboards/{CacheProbe.Dashboard}/stream", HttpCompletionOption.ResponseHeadersRead).ConfigureAwait(false);
            response.EnsureSuccessStatusCode();
            var reader = new StreamReader(await response.Content.ReadAsStreamAsync().ConfigureAwait(false));
            await ReadFrameAsync(reader, null).ConfigureAwait(false); // the current cache, sent on connect
            readers.Add(reader);
        }
        result.With("open_s", Stopwatch.GetElapsedTime(opened).TotalSeconds);
        var started = Stopwatch.GetTimestamp();
        var waits = readers.Select(r => Task.Run(async () =>
        {
            await ReadFrameAsync(r, "fanout-1").ConfigureAwait(false);
            return Stopwatch.GetTimestamp() - started;
        })).ToArray();
        await PostMarkerAsync(server.Http, "fanout-1").ConfigureAwait(false);
        foreach (var ticks in await Task.WhenAll(waits).WaitAsync(TimeSpan.FromMinutes(2)).ConfigureAwait(false))
        {
            result.Shown.RecordTicks(ticks);
        }
        result.Events = 1; // no rate: one event, and how long it took to reach every stream
        result.Requests = count;
        foreach (var reader in readers)
        {
            reader.Dispose();
        }
        return result;
    }

    private static async Task ReadFrameAsync(StreamReader reader, string? marker)
    {
        while (await reader.ReadLineAsync().ConfigureAwait(false) is { } line)
        {
            if (line.StartsWith("data: ", StringComparison.Ordinal) && (marker is null || line.Contains(marker, StringComparison.Ordinal)))
            {
                return;
            }
        }
        throw new IOException("The stream ended before the frame came.");
    }

    private static async Task PostMarkerAsync(HttpClient http, string marker)
    {
        using var response = await http.PostAsync("/api/events", new StringContent(CacheProbe.MarkedEvent(marker), Encoding.UTF8, "application/json")).ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
    }

    /// <summary>Debian's Chromium on the costs page: append-to-render for <paramref name="events"/> events, and first render of a large cache.</summary>
    public static async Task<LoadResult> BrowserAsync(LoadServer server, int events)
    {
        var url = server.Url.ToString().TrimEnd('/');
        var result = new LoadResult("browser", 1) { ShownAs = "append-to-render" };
        await using var browser = await BrowserProbe.LaunchAsync().ConfigureAwait(false);
        var started = Stopwatch.GetTimestamp();
        foreach (var ms in await browser.AppendToRenderAsync(url, events).ConfigureAwait(false))
        {
            result.Shown.Record((long)(ms * 1e6));
        }
        result.Seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        result.Events = events;
        result.Requests = events;
        var (render, cacheBytes, ownBytes) = await browser.FirstRenderAsync(url).ConfigureAwait(false);
        var sorted = render.Order().ToArray();
        return result
            .With("first_render_median_ms", sorted[sorted.Length / 2])
            .With("first_render_max_ms", sorted[^1])
            .With("cache_KB", cacheBytes / 1024.0)
            .With("page_code_KB", ownBytes / 1024.0);
    }
}
