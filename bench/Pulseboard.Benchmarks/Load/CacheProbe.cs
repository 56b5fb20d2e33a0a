using System.Diagnostics;
using System.Text;

namespace Pulseboard.Benchmarks.Load;

/// <summary>
/// Append-to-cache while the agents run: every 50 ms one marked event goes to the costs dashboard's alerts (which the
/// load leaves alone), and the time from just before its POST until a frame of that dashboard's stream carries the
/// marker is recorded. A frame is the cache the projector just wrote, so this is append, log, projector, cache, and
/// the one loopback hop of the stream.
/// </summary>
internal sealed class CacheProbe : IAsyncDisposable
{
    public const string Dashboard = "costs";
    private static readonly TimeSpan s_every = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan s_bound = TimeSpan.FromSeconds(30);
    private readonly HttpClient _http;
    private readonly LoadResult _into;
    private readonly string _run = Guid.NewGuid().ToString("N")[..8];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private string? _waitingFor;
    private TaskCompletionSource<long>? _seen;

    private CacheProbe(HttpClient http, LoadResult into)
    {
        _http = http;
        _into = into;
        _loop = LoopAsync();
    }

    /// <summary>Starts probing; each marked event's time lands in <paramref name="into"/>'s <see cref="LoadResult.Shown"/>.</summary>
    public static CacheProbe Start(HttpClient http, LoadResult into) => new(http, into);

    /// <summary>Probes that timed out or failed.</summary>
    public long Failures { get; private set; }

    /// <summary>Marked events the server acknowledged: the log holds these beside the agents' events.</summary>
    public long Acknowledged { get; private set; }

    public static string MarkedEvent(string marker) =>
        $$$"""{"dashboard":"{{{Dashboard}}}","section":"alerts","action":"budget_warning","source":"probe","content":{"category":"{{{marker}}}","current":1,"limit":2}}""";

    private async Task LoopAsync()
    {
        var token = _stop.Token;
        try
        {
            using var response = await _http.GetAsync($"/api/dashboards/{Dashboard}/stream", HttpCompletionOption.ResponseHeadersRead, token).ConfigureAwait(false);
            response.EnsureSuccessStatusCode();
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(token).ConfigureAwait(false));
            using var reading = CancellationTokenSource.CreateLinkedTokenSource(token);
            var frames = ReadFramesAsync(reader, reading.Token);
            try
            {
                using var timer = new PeriodicTimer(s_every);
                for (var n = 0; await timer.WaitForNextTickAsync(token).ConfigureAwait(false); n++)
                {
                    await ProbeOnceAsync($"probe-{_run}-{n}", token).ConfigureAwait(false);
                }
            }
            finally
            {
                await reading.CancelAsync().ConfigureAwait(false);
                await frames.ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // the scenario ended
        }
        catch (HttpRequestException)
        {
            Failures++;
        }
    }

    private async Task ProbeOnceAsync(string marker, CancellationToken token)
    {
        var seen = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        Volatile.Write(ref _seen, seen);
        Volatile.Write(ref _waitingFor, marker);
        var started = Stopwatch.GetTimestamp();
        // Not cancelled once sent: an event the server stored must be counted, or the log's growth would not add up.
        using (var response = await _http.PostAsync("/api/events", new StringContent(MarkedEvent(marker), Encoding.UTF8, "application/json"), CancellationToken.None).ConfigureAwait(false))
        {
            if (!response.IsSuccessStatusCode)
            {
                Failures++;
                return;
            }
            Acknowledged++;
        }
        try
        {
            var at = await seen.Task.WaitAsync(s_bound, token).ConfigureAwait(false);
            _into.Shown.RecordTicks(at - started);
        }
        catch (TimeoutException)
        {
            Failures++;
        }
    }

    /// <summary>Reads the stream's lines; a data line carrying the marker being waited for completes that probe.</summary>
    private async Task ReadFramesAsync(StreamReader reader, CancellationToken token)
    {
        try
        {
            while (await reader.ReadLineAsync(token).ConfigureAwait(false) is { } line)
            {
                if (line.StartsWith("data: ", StringComparison.Ordinal)
                    && Volatile.Read(ref _waitingFor) is { } marker
                    && line.Contains(marker, StringComparison.Ordinal))
                {
                    Volatile.Read(ref _seen)?.TrySetResult(Stopwatch.GetTimestamp());
                }
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // the scenario ended
        }
        catch (IOException)
        {
            // the server closed the stream: the probes still waiting time out and are counted
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        _stop.Dispose();
    }
}
