using NATS.Client.Core;
using NATS.Client.JetStream;
using Pulseboard.Tests.Mcp;
using Pulseboard.Tests.Support;

namespace Pulseboard.Tests.Cli;

/// <summary>
/// The JetStream log's options on the commands (<c>--stream</c>, <c>--replicas</c>, <c>--nats-creds</c>, a login in
/// the URL, the <c>PULSEBOARD_*</c> variables) and <c>--log</c> on <c>mcp</c> and <c>export</c>: real nats-servers.
/// </summary>
public sealed class JetStreamOptionsTests(NatsServerProcess nats) : IClassFixture<NatsServerProcess>, IAsyncLifetime, IDisposable
{
    private const string Emit = """{"dashboard":"costs","section":"spend","action":"spent","id":"o1","content":{"usd":3}}""";
    private readonly TempDirectory _data = new();

    public void Dispose() => _data.Dispose();

    public async Task InitializeAsync()
    {
        await nats.DeleteStreamAsync();
        await nats.DeleteStreamAsync("OTHER");
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private Task<(int Code, string Stdout, string Stderr)> RunAsync(string? stdin, IReadOnlyDictionary<string, string>? environment, params string[] args) =>
        Processes.RunAsync("dotnet", [Path.Combine(AppContext.BaseDirectory, "pulseboard.dll"), .. args, "--data", _data.Path], stdin, environment: environment);

    [Fact]
    public async Task The_environment_names_the_log_and_its_stream_and_flags_win_over_it()
    {
        var emit = await RunAsync(Emit, new Dictionary<string, string> { ["PULSEBOARD_LOG"] = nats.Url, ["PULSEBOARD_STREAM"] = "OTHER" }, "emit");
        Assert.True(emit.Code == 0, emit.Stderr);
        Assert.Equal(1UL, await LastSeqAsync(nats.Url, "OTHER"));
        Assert.Null(await LastSeqAsync(nats.Url, "PULSEBOARD"));
        Assert.False(Directory.Exists(_data.EventsPath), "PULSEBOARD_LOG must not write the file log");

        var tail = await RunAsync(null, new Dictionary<string, string> { ["PULSEBOARD_STREAM"] = "PULSEBOARD" }, "tail", "--log", nats.Url, "--stream", "OTHER");
        Assert.True(tail.Code == 0, tail.Stderr);
        Assert.Contains("\"id\":\"o1\"", tail.Stdout, StringComparison.Ordinal);

        var second = await RunAsync(Emit, null, "emit", "--log", nats.Url);
        Assert.Equal(1, second.Code);
        Assert.Contains("The stream PULSEBOARD cannot be created at " + nats.Url + ": another stream of this NATS account already takes the subjects pulseboard.events.>", second.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Three_replicas_on_a_lone_server_is_refused_with_what_to_do()
    {
        var emit = await RunAsync(Emit, null, "emit", "--log", nats.Url, "--replicas", "3");
        Assert.Equal(1, emit.Code);
        Assert.Contains($"pulseboard emit: --log: The stream PULSEBOARD needs 3 replicas, but the server at {nats.Url} is not in a cluster: give --replicas 1", emit.Stderr, StringComparison.Ordinal);
        Assert.Null(await LastSeqAsync(nats.Url, "PULSEBOARD"));

        var env = await RunAsync(Emit, new Dictionary<string, string> { ["PULSEBOARD_REPLICAS"] = "three" }, "emit", "--log", nats.Url);
        Assert.Equal(2, env.Code);
        Assert.Contains("PULSEBOARD_REPLICAS=\"three\": give a number of replicas, 1 to 5", env.Stderr, StringComparison.Ordinal);

        var alone = await RunAsync(Emit, null, "emit", "--log", nats.Url);
        Assert.True(alone.Code == 0, alone.Stderr);
        await using var connection = new NatsConnection(NatsOpts.Default with { Url = nats.Url });
        Assert.Equal(1, (await new NatsJSContext(connection).GetStreamAsync("PULSEBOARD")).Info.Config.NumReplicas);
    }

    [Fact]
    public async Task A_user_and_password_in_the_url_log_in_and_a_refused_one_is_never_printed()
    {
        await using var secured = await NatsServerProcess.StartAsync("""authorization { users = [ { user: "alice", password: "s3cret-pw" } ] }""");
        var hostPort = secured.Url["nats://".Length..];
        var ok = await RunAsync(Emit, null, "emit", "--log", $"nats://alice:s3cret-pw@{hostPort}");
        Assert.True(ok.Code == 0, ok.Stderr);
        Assert.Equal("stored seq 1\n", ok.Stdout);

        var wrong = await RunAsync(Emit, null, "emit", "--log", $"nats://alice:wrong-pw-77@{hostPort}");
        Assert.Equal(1, wrong.Code);
        Assert.Contains($"Could not open the JetStream log at nats://alice:***@{hostPort}", wrong.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("wrong-pw-77", wrong.Stderr + wrong.Stdout, StringComparison.Ordinal);

        var anonymous = await RunAsync(Emit, null, "emit", "--log", secured.Url);
        Assert.Equal(1, anonymous.Code);
        Assert.Contains($"Could not open the JetStream log at {secured.Url}", anonymous.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_creds_file_that_is_missing_is_named()
    {
        var missing = Path.Combine(_data.Path, "nobody.creds");
        var flag = await RunAsync(Emit, null, "emit", "--log", nats.Url, "--nats-creds", missing);
        Assert.Equal(1, flag.Code);
        Assert.Contains($"CredsFile: {missing}: no such file", flag.Stderr, StringComparison.Ordinal);
        var env = await RunAsync(Emit, new Dictionary<string, string> { ["PULSEBOARD_NATS_CREDS"] = missing }, "emit", "--log", nats.Url);
        Assert.Equal(1, env.Code);
        Assert.Contains($"CredsFile: {missing}: no such file", env.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Mcp_appends_to_and_reads_from_the_stream()
    {
        await using (var session = await McpSession.StdioAsync(_data.Path, Path.Combine(Repo.Root, "dashboards"), null, "--log", nats.Url))
        {
            var (failed, answer) = await session.CallAsync("append_event", """{"dashboard":"costs","section":"spend","action":"spent","id":"m1","content":{"usd":5}}""");
            Assert.False(failed, answer);
            var (unread, read) = await session.CallAsync("read_dashboard", """{"dashboard":"costs"}""");
            Assert.False(unread, read);
        }
        Assert.Equal(1UL, await LastSeqAsync(nats.Url, "PULSEBOARD"));
        Assert.False(Directory.Exists(_data.EventsPath), "mcp --log must not write the file log");
        Assert.Contains("\"position\":1", File.ReadAllText(Path.Combine(_data.Path, "caches", "costs.json")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Export_brings_the_caches_up_to_the_stream_first()
    {
        Assert.Equal(0, (await RunAsync(Emit, null, "emit", "--log", nats.Url)).Code);
        using var site = new TempDirectory();
        var export = await RunAsync(null, null, "export", site.Path, "--log", nats.Url, "--dashboards", Path.Combine(Repo.Root, "dashboards"));
        Assert.True(export.Code == 0, export.Stderr);
        Assert.Contains("\"position\":1", File.ReadAllText(Path.Combine(_data.Path, "caches", "costs.json")), StringComparison.Ordinal);
        Assert.False(Directory.Exists(_data.EventsPath), "export --log must not write the file log");
    }

    private static async Task<ulong?> LastSeqAsync(string url, string stream)
    {
        await using var connection = new NatsConnection(NatsOpts.Default with { Url = url });
        try
        {
            return (await new NatsJSContext(connection).GetStreamAsync(stream)).Info.State.LastSeq;
        }
        catch (NatsJSApiException ex) when (ex.Error.Code == 404)
        {
            return null;
        }
    }
}
