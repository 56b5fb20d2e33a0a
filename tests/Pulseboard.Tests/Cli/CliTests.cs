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
}
