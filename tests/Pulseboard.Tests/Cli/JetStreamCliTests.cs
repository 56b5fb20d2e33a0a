using Pulseboard.Tests.Support;

namespace Pulseboard.Tests.Cli;

/// <summary><c>--log nats://…</c> on the commands that write and read the log: a real nats-server, real processes.</summary>
public sealed class JetStreamCliTests(NatsServerProcess nats) : IClassFixture<NatsServerProcess>, IAsyncLifetime, IDisposable
{
    private readonly TempDirectory _data = new();

    public void Dispose() => _data.Dispose();

    /// <summary>Each test starts from no stream (they share one server).</summary>
    public Task InitializeAsync() => nats.DeleteStreamAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    private Task<(int Code, string Stdout, string Stderr)> RunAsync(string? stdin, string log, params string[] args) =>
        Processes.RunAsync("dotnet", [Path.Combine(AppContext.BaseDirectory, "pulseboard.dll"), .. args, "--data", _data.Path, "--log", log], stdin);

    [Fact]
    public async Task Emit_then_tail_go_through_the_stream_and_a_repeated_id_is_stored_once()
    {
        var emit = await RunAsync(null, nats.Url, "emit", "--dashboard", "costs", "--section", "alerts", "--action", "budget_warning",
            "--content", """{"current":412}""", "--id", "b1");
        Assert.Equal((0, "stored seq 1\n"), (emit.Code, emit.Stdout));
        var again = await RunAsync(null, nats.Url, "emit", "--dashboard", "costs", "--section", "alerts", "--action", "budget_warning", "--id", "b1");
        Assert.Equal((0, "duplicate of seq 1\n"), (again.Code, again.Stdout));
        var tail = await RunAsync(null, nats.Url, "tail");
        Assert.Equal(0, tail.Code);
        Assert.StartsWith("""{"seq":1,"received":""", tail.Stdout, StringComparison.Ordinal);
        Assert.EndsWith(""","id":"b1","dashboard":"costs","section":"alerts","action":"budget_warning","content":{"current":412}}""" + "\n", tail.Stdout, StringComparison.Ordinal);
        Assert.False(Directory.Exists(_data.EventsPath), "--log must not write the file log");
    }

    [Fact]
    public async Task Project_and_rebuild_read_the_stream_into_the_caches_under_data()
    {
        var lines = string.Join('\n', Enumerable.Range(1, 3).Select(i => $$$"""{"dashboard":"costs","section":"spend","action":"spent","id":"p{{{i}}}","content":{"usd":{{{i}}}}}"""));
        Assert.Equal(0, (await RunAsync(lines, nats.Url, "emit")).Code);
        var dashboards = Path.Combine(Repo.Root, "dashboards");
        var project = await RunAsync(null, nats.Url, "project", "--once", "--dashboards", dashboards);
        Assert.True(project.Code == 0, project.Stderr);
        var cache = Path.Combine(_data.Path, "caches", "costs.json");
        Assert.Contains("\"position\":", File.ReadAllText(cache), StringComparison.Ordinal);
        var position = System.Text.Json.JsonDocument.Parse(File.ReadAllText(cache)).RootElement.GetProperty("position").GetInt64();
        var rebuild = await RunAsync(null, nats.Url, "rebuild", "costs", "--dashboards", dashboards);
        Assert.True(rebuild.Code == 0, rebuild.Stderr);
        Assert.Equal(position, System.Text.Json.JsonDocument.Parse(File.ReadAllText(cache)).RootElement.GetProperty("position").GetInt64());
        Assert.False(Directory.Exists(_data.EventsPath), "--log must not write the file log");
    }

    [Fact]
    public async Task A_stream_that_cannot_be_reached_is_named()
    {
        var url = $"nats://127.0.0.1:{TestServer.FreePort()}";
        var emit = await RunAsync(null, url, "emit", "--dashboard", "costs", "--section", "alerts", "--action", "x");
        Assert.Equal(1, emit.Code);
        Assert.Contains($"pulseboard emit: --log: Could not open the JetStream log at {url}", emit.Stderr, StringComparison.Ordinal);
        var bad = await RunAsync(null, "http://example", "tail");
        Assert.Equal(1, bad.Code);
        Assert.Contains("is not nats://host:port", bad.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("(Parameter", bad.Stderr, StringComparison.Ordinal); // a person reads it, not a debugger
    }
}
