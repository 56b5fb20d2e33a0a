using System.Net.Http.Json;
using System.Text.Json;
using Pulseboard.Client;
using Pulseboard.Server.Compat;

namespace Pulseboard.Cli.Watch;

/// <summary>A model server to watch: its kind and address.</summary>
internal sealed record WatchTarget(string Kind, Uri Url);

/// <summary>
/// <c>pulseboard watch</c>'s rounds: each reads every model server's own status endpoints (no inference) and appends
/// one heartbeat per model through a <see cref="PulseboardClient"/>, so events wait in its spool while Pulseboard is
/// down.
/// </summary>
/// <remarks>
/// llama.cpp: <c>/health</c> (200 ready, 503 loading), <c>/props</c> (<c>model_path</c>: the name), <c>/metrics</c>
/// (only with <c>--metrics</c>; <c>llamacpp:predicted_tokens_seconds</c>, <c>llamacpp:requests_processing</c>,
/// <c>llamacpp:requests_deferred</c>). Ollama: <c>/api/version</c>, <c>/api/ps</c> (loaded models, <c>size_vram</c>).
/// OpenAI-compatible: <c>/v1/models</c>. A server that cannot be read is reported (its models as last seen, or the
/// server itself) with status <c>unreachable</c> and the error; the next round tries again.
/// </remarks>
internal sealed class ModelWatcher(IReadOnlyList<WatchTarget> targets, HttpClient http, string dashboard, string section)
{
    private readonly Dictionary<WatchTarget, List<string>> _lastSeen = [];
    private TimeSpan _firstAnswer;

    /// <summary>One round: every target read, in order, its models reported.</summary>
    public async Task<List<ModelReport>> RoundAsync(CancellationToken cancellationToken)
    {
        var reports = new List<ModelReport>();
        foreach (var target in targets)
        {
            List<ModelReport> found;
            try
            {
                found = target.Kind switch
                {
                    "llama.cpp" => [await LlamaAsync(target, cancellationToken).ConfigureAwait(false)],
                    "ollama" => await OllamaAsync(target, cancellationToken).ConfigureAwait(false),
                    _ => await OpenAiAsync(target, cancellationToken).ConfigureAwait(false),
                };
                _lastSeen[target] = found.ConvertAll(r => r.Name);
                found = found.ConvertAll(r => r with { LatencyMs = _firstAnswer.TotalMilliseconds });
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or JsonException or InvalidOperationException or NotSupportedException
                && !cancellationToken.IsCancellationRequested)
            {
                var error = ex is TaskCanceledException ? $"no answer within {http.Timeout.TotalSeconds:0} s" : ex.Message;
                var names = _lastSeen.TryGetValue(target, out var seen) && seen.Count > 0 ? seen : [ServerName(target)];
                found = names.ConvertAll(name => new ModelReport(name, target.Url.ToString(), target.Kind, ex is JsonException ? "error" : "unreachable") { Error = error });
            }
            reports.AddRange(found);
        }
        return reports;
    }

    /// <summary>Appends a round's reports as heartbeats; returns at once (the client batches and spools).</summary>
    public void Append(PulseboardClient client, IEnumerable<ModelReport> reports)
    {
        foreach (var report in reports)
        {
            client.Append(report.ToEvent(dashboard, section));
        }
    }

    /// <summary>Rounds every <paramref name="every"/> on <paramref name="time"/>, the first at once, until cancelled.</summary>
    /// <param name="client">Where the heartbeats go.</param>
    /// <param name="every">The interval between rounds.</param>
    /// <param name="time">The clock the interval runs on.</param>
    /// <param name="onRound">Told of each round's reports (the CLI prints them).</param>
    /// <param name="cancellationToken">Stops the watcher.</param>
    public async Task RunAsync(PulseboardClient client, TimeSpan every, TimeProvider time, Action<List<ModelReport>> onRound, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(every, time);
        do
        {
            var reports = await RoundAsync(cancellationToken).ConfigureAwait(false);
            Append(client, reports);
            onRound(reports);
        }
        while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false));
    }

    private async Task<ModelReport> LlamaAsync(WatchTarget target, CancellationToken cancellationToken)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        using var health = await http.GetAsync(new Uri(target.Url, "/health"), cancellationToken).ConfigureAwait(false);
        _firstAnswer = System.Diagnostics.Stopwatch.GetElapsedTime(started);
        var status = health.IsSuccessStatusCode ? "ok" : (int)health.StatusCode == 503 ? "loading" : "error";
        var name = ServerName(target);
        try
        {
            using var props = await http.GetFromJsonAsync<JsonDocument>(new Uri(target.Url, "/props"), cancellationToken).ConfigureAwait(false);
            if (props?.RootElement.TryGetProperty("model_path", out var path) == true && path.GetString() is { Length: > 0 } modelPath)
            {
                name = ModelReport.SourceName(modelPath);
            }
        }
        catch (Exception ex) when (ex is HttpRequestException or JsonException)
        {
            // Loading, or an older server: /props may not answer; the server's own name stands in.
        }
        double? tokens = null, processing = null, deferred = null;
        using (var metrics = await http.GetAsync(new Uri(target.Url, "/metrics"), cancellationToken).ConfigureAwait(false))
        {
            if (metrics.IsSuccessStatusCode) // 501 without --metrics: the rest is still worth reporting
            {
                var (samples, _) = PrometheusText.Parse(await metrics.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false), 100_000);
                double? Value(string metric) => samples.Find(s => s.Name == metric)?.Value;
                tokens = Value("llamacpp:predicted_tokens_seconds");
                processing = Value("llamacpp:requests_processing");
                deferred = Value("llamacpp:requests_deferred");
            }
        }
        return new ModelReport(name, target.Url.ToString(), target.Kind, status == "ok" && processing > 0 ? "busy" : status)
        {
            TokensPerSecond = tokens,
            Requests = processing,
            RequestsDeferred = deferred,
            Error = status == "error" ? $"/health answered {(int)health.StatusCode}" : null,
        };
    }

    private async Task<List<ModelReport>> OllamaAsync(WatchTarget target, CancellationToken cancellationToken)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        using var version = await http.GetFromJsonAsync<JsonDocument>(new Uri(target.Url, "/api/version"), cancellationToken).ConfigureAwait(false);
        _firstAnswer = System.Diagnostics.Stopwatch.GetElapsedTime(started);
        using var ps = await http.GetFromJsonAsync<JsonDocument>(new Uri(target.Url, "/api/ps"), cancellationToken).ConfigureAwait(false);
        var reports = new List<ModelReport>();
        if (ps?.RootElement.TryGetProperty("models", out var models) == true && models.ValueKind == JsonValueKind.Array)
        {
            foreach (var model in models.EnumerateArray())
            {
                var name = model.TryGetProperty("name", out var n) ? n.GetString() : model.TryGetProperty("model", out var m) ? m.GetString() : null;
                long? vram = model.TryGetProperty("size_vram", out var v) && v.TryGetInt64(out var bytes) ? bytes / (1024 * 1024) : null;
                reports.Add(new ModelReport(name ?? ServerName(target), target.Url.ToString(), target.Kind, "ok") { MemoryMb = vram });
            }
        }
        return reports.Count > 0 ? reports : [new ModelReport(ServerName(target), target.Url.ToString(), target.Kind, "idle")];
    }

    private async Task<List<ModelReport>> OpenAiAsync(WatchTarget target, CancellationToken cancellationToken)
    {
        var path = target.Url.AbsolutePath.TrimEnd('/').EndsWith("/v1", StringComparison.Ordinal) ? "models" : "v1/models";
        var baseUrl = target.Url.AbsoluteUri.EndsWith('/') ? target.Url : new Uri(target.Url.AbsoluteUri + "/");
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        using var list = await http.GetFromJsonAsync<JsonDocument>(new Uri(baseUrl, path), cancellationToken).ConfigureAwait(false);
        _firstAnswer = System.Diagnostics.Stopwatch.GetElapsedTime(started);
        var reports = new List<ModelReport>();
        if (list?.RootElement.TryGetProperty("data", out var data) == true && data.ValueKind == JsonValueKind.Array)
        {
            foreach (var model in data.EnumerateArray())
            {
                if (model.TryGetProperty("id", out var id) && id.GetString() is { Length: > 0 } name)
                {
                    reports.Add(new ModelReport(ModelReport.SourceName(name), target.Url.ToString(), target.Kind, "ok"));
                }
            }
        }
        return reports.Count > 0 ? reports : [new ModelReport(ServerName(target), target.Url.ToString(), target.Kind, "idle")];
    }

    /// <summary>A name for a server itself, when it has no model to name: <c>llama.cpp-127.0.0.1-8080</c>.</summary>
    private static string ServerName(WatchTarget target) => ModelReport.SourceName($"{target.Kind}-{target.Url.Host}-{target.Url.Port}");
}
