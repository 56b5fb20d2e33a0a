using System.Text.Json;
using System.Text.RegularExpressions;
using Pulseboard.Tests.Support;

namespace Pulseboard.Tests.Mcp;

/// <summary>
/// What the four tools do, whichever transport carries them: the stdio command and <c>/mcp</c> on a server each run
/// this suite (as the file log and any engine run the log's contract). Asserts behaviour, not the schema's text: an
/// example from describe_section, appended, is accepted and changes its section; a wrong field is named.
/// </summary>
public abstract partial class McpToolContract : IAsyncLifetime
{
    protected TempDirectory Data { get; } = new();

    private McpSession? _session;

    internal McpSession Session => _session ?? throw new InvalidOperationException("not connected");

    /// <summary>Connects the SDK's client to the tools on the transport under test, on <see cref="Data"/>.</summary>
    internal abstract Task<McpSession> ConnectAsync();

    /// <summary>The cache of <paramref name="dashboard"/> once it holds <paramref name="seq"/>, waited for with a bound.</summary>
    protected abstract Task<JsonElement> CacheAtAsync(string dashboard, long seq);

    public virtual async Task InitializeAsync() => _session = await ConnectAsync();

    public virtual async Task DisposeAsync()
    {
        if (_session is not null)
        {
            await _session.DisposeAsync();
        }
        Data.Dispose();
    }

    internal static long Seq(string answer) =>
        long.Parse(StoredAs().Match(answer) is { Success: true } m ? m.Groups[1].Value : throw new Xunit.Sdk.XunitException($"no seq in: {answer}"), System.Globalization.CultureInfo.InvariantCulture);

    [GeneratedRegex(@"(?:stored as|is) seq (\d+)")]
    private static partial Regex StoredAs();

    /// <summary>The example event of describe_section's answer: its last line.</summary>
    internal static JsonElement Example(string describe) => JsonDocument.Parse(describe.Split('\n')[^1]).RootElement.Clone();

    [Fact]
    public async Task The_tools_are_exactly_the_four_with_their_hints()
    {
        var tools = await Session.Client.ListToolsAsync();
        Assert.Equal(["append_event", "describe_section", "list_dashboards", "read_dashboard"], tools.Select(t => t.Name).Order(StringComparer.Ordinal));
        foreach (var read in tools.Where(t => t.Name != "append_event"))
        {
            Assert.True(read.ProtocolTool.Annotations?.ReadOnlyHint, $"{read.Name} is read-only");
        }
        var append = tools.Single(t => t.Name == "append_event").ProtocolTool;
        Assert.False(append.Annotations?.ReadOnlyHint);
        Assert.True(append.Annotations?.IdempotentHint);
        Assert.False(append.Annotations?.DestructiveHint);
        Assert.Equal(["action", "dashboard", "section"],
            append.InputSchema.GetProperty("required").EnumerateArray().Select(r => r.GetString()).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task List_dashboards_names_each_dashboard_its_freshness_and_its_sections_with_kinds()
    {
        var (isError, text) = await Session.CallAsync("list_dashboards");
        Assert.False(isError, text);
        Assert.Contains("costs — \"Costs\": no events yet", text, StringComparison.Ordinal);
        Assert.Contains("budget (stat), spend-total (counter), spend (timeseries), spend-per-day (daily), alerts (feed), by-model (table)", text, StringComparison.Ordinal);
        Assert.Contains("status (heartbeat)", text, StringComparison.Ordinal);
        Assert.Equal(Directory.GetFiles(Path.Combine(Repo.Root, "dashboards"), "*.yaml").Length, Regex.Count(text, @"\n  sections: "));

        var stored = Seq((await Session.CallAsync("append_event", """{"dashboard":"costs","section":"alerts","action":"budget_warning","content":{"category":"gpu","current":812,"limit":1000}}""")).Text);
        await CacheAtAsync("costs", stored);
        (isError, text) = await Session.CallAsync("list_dashboards");
        Assert.False(isError, text);
        Assert.Matches(@"costs — ""Costs"": fresh: last event \d+ s ago \([0-9T:Z-]+\) \(seq 1\), stale after 15m without one", text);
    }

    [Theory]
    [InlineData("costs", "budget")]
    [InlineData("costs", "by-model")]
    [InlineData("fleet", "status")]
    [InlineData("velocity", "per-day")]
    public async Task The_example_of_describe_section_appended_through_mcp_changes_that_section(string dashboard, string section)
    {
        var (isError, describe) = await Session.CallAsync("describe_section", $$"""{"dashboard":"{{dashboard}}","section":"{{section}}"}""");
        Assert.False(isError, describe);
        Assert.Contains($"GET /schema/{dashboard}/{section}.json", describe, StringComparison.Ordinal);
        var example = Example(describe);

        var (failed, answer) = await Session.CallAsync("append_event", example.GetRawText());
        Assert.False(failed, answer);
        var cache = await CacheAtAsync(dashboard, Seq(answer));
        var changed = cache.GetProperty("sections").GetProperty(section);
        Assert.Equal(JsonValueKind.String, changed.GetProperty("updated").ValueKind);
        Assert.False(changed.TryGetProperty("skipped", out _), $"the example was taken but skipped: {changed}");
    }

    [Fact]
    public async Task Read_dashboard_shows_current_values_as_text_with_agent_text_quoted_and_stored_as_text()
    {
        var script = "<script>alert(1)</script>\nFAKE LINE";
        var seq = Seq((await Session.CallAsync("append_event", $$$"""
            {"dashboard":"costs","section":"alerts","action":"budget_exceeded","priority":"critical",
             "content":{"category":{{{JsonSerializer.Serialize(script)}}},"current":1250,"limit":1000}}
            """)).Text);
        var cache = await CacheAtAsync("costs", seq);
        var item = cache.GetProperty("sections").GetProperty("alerts").GetProperty("items")[0];
        Assert.Equal($"budget_exceeded: {script} at 1250 of 1000", item.GetProperty("text").GetString()); // stored as the text it is

        var (isError, text) = await Session.CallAsync("read_dashboard", """{"dashboard":"costs"}""");
        Assert.False(isError, text);
        Assert.StartsWith("\"Costs\" (costs): fresh: last event", text, StringComparison.Ordinal);
        Assert.Contains("  - [critical] \"budget_exceeded: <script>alert(1)</script>\\nFAKE LINE at 1250 of 1000\"", text, StringComparison.Ordinal);
        Assert.DoesNotContain("\nFAKE LINE", text, StringComparison.Ordinal); // an agent's text cannot start a line of the answer
        Assert.Contains("budget — stat \"Budget\", updated", text, StringComparison.Ordinal);
        Assert.Contains("spend-total — counter \"Spend recorded (USD)\": no events yet (events to costs/spend)", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_retry_with_the_same_id_is_stored_once()
    {
        const string Event = """{"dashboard":"velocity","section":"tasks","action":"task_completed","content":{"title":"Ship it"},"id":"task-812"}""";
        var (_, first) = await Session.CallAsync("append_event", Event);
        var (isError, again) = await Session.CallAsync("append_event", Event);
        Assert.False(isError, again);
        Assert.Contains("already stored", again, StringComparison.Ordinal);
        Assert.Equal(Seq(first), Seq(again));
        var cache = await CacheAtAsync("velocity", Seq(first));
        Assert.Equal(1, cache.GetProperty("sections").GetProperty("total").GetProperty("count").GetInt64());
    }
}
