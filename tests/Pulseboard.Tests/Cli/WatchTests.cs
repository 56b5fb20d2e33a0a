using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Pulseboard.Cli.Watch;
using Pulseboard.Client;
using Pulseboard.Server;
using Pulseboard.Tests.Compat;
using Pulseboard.Tests.Support;

namespace Pulseboard.Tests.Cli;

/// <summary>
/// <c>pulseboard watch</c> against stand-ins on loopback that answer with the shapes llama.cpp's server README,
/// Ollama's api.md and OpenAI's models list document (no model can be downloaded here, and none is needed).
/// </summary>
public sealed class WatchTests : IAsyncLifetime
{
    private const string LlamaMetrics = """
        # HELP llamacpp:prompt_tokens_total Number of prompt tokens processed.
        # TYPE llamacpp:prompt_tokens_total counter
        llamacpp:prompt_tokens_total 6886
        # HELP llamacpp:predicted_tokens_seconds Average generation throughput in tokens/s.
        # TYPE llamacpp:predicted_tokens_seconds gauge
        llamacpp:predicted_tokens_seconds 41.53
        # HELP llamacpp:requests_processing Number of requests processing.
        # TYPE llamacpp:requests_processing gauge
        llamacpp:requests_processing 1
        # HELP llamacpp:requests_deferred Number of requests deferred.
        # TYPE llamacpp:requests_deferred gauge
        llamacpp:requests_deferred 2

        """;

    private readonly TempDirectory _data = new();
    private readonly TempDirectory _spool = new();
    private TestServer _server = null!;

    public async Task InitializeAsync() => _server = await TestServer.StartAsync(TestServer.Options(_data.Path));

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _data.Dispose();
        _spool.Dispose();
    }

    /// <summary>A stand-in model server on 127.0.0.1 answering the given paths with JSON or text.</summary>
    private static async Task<WebApplication> StandInAsync(params (string Path, int Status, string Body, string Type)[] routes)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        foreach (var (path, status, body, type) in routes)
        {
            app.MapGet(path, () => Results.Text(body, type, statusCode: status));
        }
        await app.StartAsync();
        return app;
    }

    private static string Url(WebApplication app) => PulseboardServer.Addresses(app)[0];

    private static Task<WebApplication> LlamaAsync() => StandInAsync(
        ("/health", 200, """{"status": "ok" }""", "application/json"),
        ("/props", 200, """{"default_generation_settings":{"id":0,"n_ctx":1024},"total_slots":1,"model_path":"../models/Meta-Llama-3.1-8B-Instruct-Q4_K_M.gguf","chat_template":"...","build_info":"b1-abc","is_sleeping":false}""", "application/json"),
        ("/metrics", 200, LlamaMetrics, "text/plain; version=0.0.4"));

    private Task<(int Code, string Stdout, string Stderr)> WatchAsync(params string[] args) =>
        Processes.RunAsync("dotnet", [Path.Combine(AppContext.BaseDirectory, "pulseboard.dll"), "watch", .. args, "--spool", _spool.Path, "--data", _data.Path], null);

    [Fact]
    public async Task Once_reports_every_model_of_llama_cpp_ollama_and_openai_and_an_unreachable_server_into_fleet()
    {
        await using var llama = await LlamaAsync();
        await using var loading = await StandInAsync(("/health", 503, """{"error": {"code": 503, "message": "Loading model", "type": "unavailable_error"}}""", "application/json"));
        await using var ollama = await StandInAsync(
            ("/api/version", 200, """{"version": "0.5.1"}""", "application/json"),
            ("/api/ps", 200, """{"models":[{"name":"mistral:latest","model":"mistral:latest","size":5137025024,"digest":"2ae6f6dd7a3dd734790bbbf58b8909a606e0e7e97e94b7604e0aa7ae4490e6d8","details":{"parent_model":"","format":"gguf","family":"llama","families":["llama"],"parameter_size":"7.2B","quantization_level":"Q4_0"},"expires_at":"2024-06-04T14:38:31.83753-07:00","size_vram":5137025024}]}""", "application/json"));
        await using var openai = await StandInAsync(
            ("/v1/models", 200, """{"object":"list","data":[{"id":"qwen2.5-7b-instruct","object":"model","created":1686935002,"owned_by":"organization-owner"}]}""", "application/json"));
        var nowhere = $"http://127.0.0.1:{TestServer.FreePort()}";

        var run = await WatchAsync("--llama", Url(llama), "--llama", Url(loading), "--llama", nowhere, "--ollama", Url(ollama), "--openai", Url(openai), "--once", "--url", _server.Url);
        Assert.True(run.Code == 0, run.Stdout + run.Stderr);
        Assert.Contains("Meta-Llama-3.1-8B-Instruct-Q4_K_M (llama.cpp", run.Stdout, StringComparison.Ordinal);

        var events = _server.Events();
        Assert.All(events, e => Assert.Equal(("fleet", "models", "heartbeat"), (e.Dashboard, e.Section, e.Action)));
        var loadingName = $"llama.cpp-127.0.0.1-{new Uri(Url(loading)).Port}";
        var nowhereName = $"llama.cpp-127.0.0.1-{new Uri(nowhere).Port}";
        Assert.Equal(
        [
            "Meta-Llama-3.1-8B-Instruct-Q4_K_M busy 41.53 null 1 2",
            $"{loadingName} loading null null null null",
            $"{nowhereName} unreachable null null null null",
            "mistral:latest ok null 4899 null null",
            "qwen2.5-7b-instruct ok null null null null",
        ], events.Select(e => $"{e.Source} {e.Text("status")} {Raw(e, "tokens_per_s")} {Raw(e, "memory_mb")} {Raw(e, "requests")} {Raw(e, "requests_deferred")}"));
        Assert.Contains("127.0.0.1", events[2].Text("error"), StringComparison.Ordinal);
        // How long each server took to answer its status request: a number where it answered, null where it did not.
        Assert.Equal([true, true, false, true, true], events.Select(e => e.Content.GetProperty("latency_ms") is { ValueKind: JsonValueKind.Number } l && l.GetDouble() >= 0));
        Assert.Equal(JsonValueKind.Null, events[2].Content.GetProperty("latency_ms").ValueKind);

        await _server.ProjectedAsync(_server.Log().End);
        var fleet = JsonDocument.Parse(await _server.Http.GetStringAsync("/api/dashboards/fleet")).RootElement.GetProperty("sections");
        Assert.Equal(5, fleet.GetProperty("models").GetProperty("rows").GetArrayLength());
        Assert.Equal(5, fleet.GetProperty("status").GetProperty("sources").GetArrayLength());
    }

    private static string Raw(Event e, string property) => e.Content.GetProperty(property).GetRawText();

    [Fact]
    public async Task A_server_that_goes_away_is_reported_unreachable_by_the_model_it_had_and_the_watcher_keeps_going()
    {
        var llama = await LlamaAsync();
        var target = new WatchTarget("llama.cpp", new Uri(Url(llama)));
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        await using var client = new PulseboardClient(new HttpTransport(new HttpTransportOptions { Server = new Uri(_server.Url), SpoolDirectory = _spool.Path }));
        var watcher = new ModelWatcher([target], http, "fleet", "models");
        var rounds = System.Threading.Channels.Channel.CreateUnbounded<List<ModelReport>>();
        using var stop = new CancellationTokenSource();
        var running = watcher.RunAsync(client, TimeSpan.FromSeconds(15), clock, r => rounds.Writer.TryWrite(r), stop.Token);
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(60));

        Assert.Equal("busy", Assert.Single(await rounds.Reader.ReadAsync(bound.Token)).Status);
        await llama.StopAsync();
        await llama.DisposeAsync();
        clock.Advance(TimeSpan.FromSeconds(15));
        var gone = Assert.Single(await rounds.Reader.ReadAsync(bound.Token));
        Assert.Equal(("Meta-Llama-3.1-8B-Instruct-Q4_K_M", "unreachable"), (gone.Name, gone.Status));
        clock.Advance(TimeSpan.FromSeconds(15));
        Assert.Equal("unreachable", Assert.Single(await rounds.Reader.ReadAsync(bound.Token)).Status); // still going
        await client.FlushAsync(bound.Token);

        Assert.Equal(["busy", "unreachable", "unreachable"], _server.Events().Select(e => e.Text("status")));
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running);
    }

    [Fact]
    public async Task With_pulseboard_down_the_heartbeats_wait_in_the_spool()
    {
        await using var llama = await LlamaAsync();
        var run = await WatchAsync("--llama", Url(llama), "--once", "--url", $"http://127.0.0.1:{TestServer.FreePort()}");
        Assert.True(run.Code == 0, run.Stdout + run.Stderr);
        var spooled = await File.ReadAllTextAsync(Path.Combine(_spool.Path, "spool.ndjson"));
        Assert.Contains("\"source\":\"Meta-Llama-3.1-8B-Instruct-Q4_K_M\"", spooled, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { "--once" }, "nothing to watch: give --llama URL, --ollama URL or --openai URL")]
    [InlineData(new[] { "--llama", "localhost:8080", "--once" }, "--llama \"localhost:8080\": not an http(s) URL")]
    [InlineData(new[] { "--llama", "http://127.0.0.1:1", "--every", "soon" }, "--every \"soon\": give a duration of at least 1s")]
    [InlineData(new[] { "--llama", "http://127.0.0.1:1", "--once", "--log", "nats://127.0.0.1:4222" }, "--log: watch sends heartbeats to a server over HTTP (--url), not to the log")]
    public async Task Bad_arguments_exit_2_and_say_what_to_fix(string[] args, string message)
    {
        var run = await WatchAsync(args);
        Assert.Equal(2, run.Code);
        Assert.Contains(message, run.Stderr, StringComparison.Ordinal);
    }
}
