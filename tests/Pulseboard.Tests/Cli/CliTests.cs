using Microsoft.Extensions.Logging;
using Pulseboard.Tests.Support;

namespace Pulseboard.Tests.Cli;

/// <summary>The pulseboard command as a user runs it: a real process.</summary>
public sealed class CliTests : IDisposable
{
    private readonly TempDirectory _data = new();

    public void Dispose() => _data.Dispose();

    private Task<(int Code, string Stdout, string Stderr)> RunAsync(string? stdin, params string[] args) =>
        Processes.RunAsync("dotnet", [Path.Combine(AppContext.BaseDirectory, "pulseboard.dll"), .. args, "--data", _data.Path], stdin);

    [Fact]
    public async Task Emit_then_tail_shows_the_event_with_its_seq()
    {
        var emit = await RunAsync(null, "emit", "--dashboard", "costs", "--section", "alerts", "--action", "budget_warning",
            "--content", """{"current":412,"limit":500}""", "--priority", "high", "--source", "haiku", "--id", "b1");
        Assert.Equal((0, "stored seq 1\n"), (emit.Code, emit.Stdout));
        var tail = await RunAsync(null, "tail");
        Assert.Equal(0, tail.Code);
        Assert.StartsWith("""{"seq":1,"received":""", tail.Stdout, StringComparison.Ordinal);
        Assert.Contains(""","id":"b1","dashboard":"costs","section":"alerts","action":"budget_warning","priority":"high",""", tail.Stdout, StringComparison.Ordinal);
        Assert.EndsWith(""","source":"haiku","content":{"current":412,"limit":500}}""" + "\n", tail.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Emit_reads_ndjson_from_stdin_and_tail_n_limits()
    {
        var lines = string.Join("\n", Enumerable.Range(0, 5).Select(i => $$$"""{"dashboard":"leads","section":"new","action":"lead","content":{"n":{{{i}}}}}""")) + "\n\n";
        var emit = await RunAsync(lines, "emit");
        Assert.Equal(0, emit.Code);
        Assert.Equal(5, emit.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        var tail = await RunAsync(null, "tail", "-n", "2");
        var shown = tail.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, shown.Length);
        Assert.StartsWith("""{"seq":4,""", shown[0], StringComparison.Ordinal);
        Assert.StartsWith("""{"seq":5,""", shown[1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bad_input_says_what_to_fix_exits_2_and_writes_nothing()
    {
        var lines = """
            {"dashboard":"leads","section":"new","action":"lead"}
            {"dashboard":"../etc","section":"new","action":"lead","colour":"red"}
            not json
            """;
        var emit = await RunAsync(lines, "emit");
        Assert.Equal(2, emit.Code);
        Assert.Contains("""line 2: dashboard: "../etc" is not a slug""", emit.Stderr, StringComparison.Ordinal);
        Assert.Contains("""line 2: "colour": unknown field""", emit.Stderr, StringComparison.Ordinal);
        Assert.Contains("line 3: event: malformed JSON at byte", emit.Stderr, StringComparison.Ordinal);
        Assert.Contains("Nothing was written.", emit.Stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(_data.Path, "events")));

        var flags = await RunAsync(null, "emit", "--dashboard", "Costs", "--section", "a", "--action", "b", "--content", "{oops");
        Assert.Equal(2, flags.Code);
        Assert.Contains("--content: not JSON", flags.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Schema_prints_the_json_schema()
    {
        var schema = await RunAsync(null, "schema");
        Assert.Equal(0, schema.Code);
        Assert.Equal(System.Text.Encoding.UTF8.GetString(EventSchema.Utf8.Span), schema.Stdout);
    }

    [Fact]
    public async Task Tail_follow_prints_events_as_they_are_appended()
    {
        var start = new System.Diagnostics.ProcessStartInfo("dotnet") { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var arg in new[] { Path.Combine(AppContext.BaseDirectory, "pulseboard.dll"), "tail", "--follow", "--data", _data.Path })
        {
            start.ArgumentList.Add(arg);
        }
        using var tail = System.Diagnostics.Process.Start(start)!;
        try
        {
            var emit = await RunAsync(null, "emit", "--dashboard", "a", "--section", "b", "--action", "first");
            Assert.Equal(0, emit.Code);
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
            var line = await tail.StandardOutput.ReadLineAsync(timeout.Token);
            Assert.Contains("\"action\":\"first\"", line, StringComparison.Ordinal);
            await RunAsync(null, "emit", "--dashboard", "a", "--section", "b", "--action", "second");
            line = await tail.StandardOutput.ReadLineAsync(timeout.Token);
            Assert.StartsWith("{\"seq\":2,", line, StringComparison.Ordinal);
        }
        finally
        {
            tail.Kill();
            await tail.WaitForExitAsync();
        }
    }

    [Fact]
    public async Task Check_accepts_the_sample_dashboards()
    {
        var check = await RunAsync(null, "check", "--dashboards", Path.Combine(Repo.Root, "dashboards"));
        Assert.Equal(0, check.Code);
        Assert.Contains("10 definitions, no problems", check.Stderr, StringComparison.Ordinal);
        Assert.Contains("ok  costs: Costs (6 sections:", check.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Check_prints_every_problem_with_file_line_and_field_and_exits_2()
    {
        using var dashboards = new TempDirectory();
        File.WriteAllText(Path.Combine(dashboards.Path, "costs.yaml"), "title: Costs\nsections:\n  spend:\n    kind: timeseries\n    value: content.usd\n    agg: median\n");
        File.WriteAllText(Path.Combine(dashboards.Path, "leads.yaml"), "sections:\n  new:\n    kind: gauge\n");
        var check = await RunAsync(null, "check", "--dashboards", dashboards.Path);
        Assert.Equal(2, check.Code);
        Assert.Contains("costs.yaml:6 sections.spend.agg: \"median\" is not one of last, sum, avg, min, max, count", check.Stderr, StringComparison.Ordinal);
        Assert.Contains("leads.yaml:3 sections.new.kind: \"gauge\" is not one of", check.Stderr, StringComparison.Ordinal);
        Assert.Contains("2 problems in 2 of 2 definitions", check.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Project_once_writes_the_caches_and_rebuild_names_unknown_ids()
    {
        var dashboards = Path.Combine(Repo.Root, "dashboards");
        var lines = """
            {"dashboard":"costs","section":"alerts","action":"budget_exceeded","priority":"critical","content":{"category":"cloud","current":1250,"limit":1000}}
            {"dashboard":"fleet","section":"models","action":"heartbeat","source":"llama-3","content":{"tokens_per_s":41.5}}
            """;
        Assert.Equal(0, (await RunAsync(lines, "emit")).Code);
        var project = await RunAsync(null, "project", "--once", "--dashboards", dashboards);
        Assert.Equal(0, project.Code);
        Assert.Equal("2 events read, 2 applied, 10 cache writes; caches are at seq 2\n", project.Stdout);
        var costs = File.ReadAllText(Path.Combine(_data.Path, "caches", "costs.json"));
        Assert.Contains("\"text\":\"1250 of 1000 (cloud)\"", costs, StringComparison.Ordinal);
        var again = await RunAsync(null, "project", "--once", "--dashboards", dashboards);
        Assert.Equal("0 events read, 0 applied, 0 cache writes; caches are at seq 2\n", again.Stdout);
        var rebuild = await RunAsync(null, "rebuild", "nope", "--dashboards", dashboards);
        Assert.Equal(2, rebuild.Code);
        Assert.Contains("No dashboard \"nope\"", rebuild.Stderr, StringComparison.Ordinal);
        var costsOnly = await RunAsync(null, "rebuild", "costs", "--dashboards", dashboards);
        Assert.Equal("2 events read, 1 applied, 1 cache writes; caches are at seq 2\n", costsOnly.Stdout);
    }

    [Fact]
    public async Task Emit_sends_to_a_running_server_instead_of_fighting_for_the_log()
    {
        await using var app = Pulseboard.Server.PulseboardServer.Build(new Pulseboard.Server.ServerOptions
        {
            Urls = "http://127.0.0.1:0",
            DataDirectory = _data.Path,
            DashboardsDirectory = Path.Combine(Repo.Root, "dashboards"),
        }, logging => logging.ClearProviders());
        await app.StartAsync();
        var emit = await RunAsync(null, "emit", "--dashboard", "costs", "--section", "alerts", "--action", "budget_warning", "--content", "{}");
        Assert.Equal((0, "stored seq 1\n"), (emit.Code, emit.Stdout));
        var again = await RunAsync("""{"dashboard":"costs","section":"alerts","action":"x","id":"k"}""" + "\n" + """{"dashboard":"costs","section":"alerts","action":"x","id":"k"}""", "emit");
        Assert.Equal("stored seq 2\nstored seq 2\n", again.Stdout); // the second is the same id: acknowledged with its original seq
        var tail = await RunAsync(null, "tail");
        Assert.Equal(2, tail.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        await app.StopAsync();
    }
}
