namespace Pulseboard.Tests.Mcp;

/// <summary>Bad input: each problem named with its field and fix, all at once, as a tool error; the session goes on.</summary>
public abstract partial class McpToolContract
{
    private async Task<string> RefusedAsync(string tool, string arguments)
    {
        var (isError, text) = await Session.CallAsync(tool, arguments);
        Assert.True(isError, $"{tool} {arguments} should be a tool error, answered: {text}");
        return text;
    }

    private async Task TheNextCallWorksAsync()
    {
        var (isError, text) = await Session.CallAsync("list_dashboards");
        Assert.False(isError, text);
        Assert.Contains("costs — ", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Wrong_types_missing_and_unknown_arguments_come_back_together_naming_each_field()
    {
        var text = await RefusedAsync("append_event", """{"dashboard":"costs","section":7,"priority":"urgent","colour":"red","timestamp":"2026-01-01T00:00:00Z"}""");
        Assert.StartsWith("append_event did nothing; fix each problem and call it again:\n", text, StringComparison.Ordinal);
        Assert.Contains("- section: must be a string, not a number", text, StringComparison.Ordinal);
        Assert.Contains("- action: is required", text, StringComparison.Ordinal);
        Assert.Contains("- priority: \"urgent\" is not one of low, normal, high, critical", text, StringComparison.Ordinal);
        Assert.Contains("- \"colour\": unknown argument; append_event takes dashboard, section, action, content, priority, source, id", text, StringComparison.Ordinal);
        Assert.Contains("- timestamp: not an argument; the log stamps the time an event is received", text, StringComparison.Ordinal);

        // No content where the section's schema needs one: its check names the field.
        text = await RefusedAsync("append_event", """{"dashboard":"costs","section":"spend","action":"spend"}""");
        Assert.Contains("- content", text, StringComparison.Ordinal);

        text = await RefusedAsync("describe_section", """{"dashboard":["costs"]}""");
        Assert.Contains("- dashboard: must be a string", text, StringComparison.Ordinal);
        Assert.Contains("- section: is required", text, StringComparison.Ordinal);
        await TheNextCallWorksAsync();
    }

    [Fact]
    public async Task A_field_the_section_does_not_take_is_named_with_what_it_takes()
    {
        // costs/budget takes events to costs/alerts with action budget_*: the model is told which to write.
        var text = await RefusedAsync("append_event", """{"dashboard":"costs","section":"budget","action":"spend","content":{"current":1,"limit":2,"category":"gpu"}}""");
        Assert.Contains("- section: ", text, StringComparison.Ordinal);
        Assert.Contains("alerts", text, StringComparison.Ordinal);
        Assert.Contains("- action: ", text, StringComparison.Ordinal);

        text = await RefusedAsync("append_event", """{"dashboard":"costs","section":"alerts","action":"budget_warning","content":"over budget"}""");
        Assert.Contains("- content: ", text, StringComparison.Ordinal);

        text = await RefusedAsync("append_event", """{"dashboard":"costs","section":"nowhere","action":"x","content":{}}""");
        Assert.Contains("- section: no section takes events to costs/nowhere", text, StringComparison.Ordinal);
        Assert.Contains("budget takes events to costs/alerts with action budget_*", text, StringComparison.Ordinal);
        await TheNextCallWorksAsync();
    }

    [Fact]
    public async Task An_unknown_dashboard_or_section_names_the_known_ones()
    {
        var dashboards = "the dashboards are arbitrage, checks, command-center, costs";
        Assert.Contains($"- dashboard: \"costz\" is not a dashboard; {dashboards}", await RefusedAsync("describe_section", """{"dashboard":"costz","section":"budget"}"""), StringComparison.Ordinal);
        Assert.Contains($"- dashboard: \"costz\" is not a dashboard; {dashboards}", await RefusedAsync("read_dashboard", """{"dashboard":"costz"}"""), StringComparison.Ordinal);
        Assert.Contains($"- dashboard: \"costz\" is not a dashboard; {dashboards}", await RefusedAsync("append_event", """{"dashboard":"costz","section":"alerts","action":"a","content":{}}"""), StringComparison.Ordinal);
        Assert.Contains("- section: \"budgett\" is not a section of costs; its sections are budget (stat), spend-total (counter), spend (timeseries), spend-per-day (daily), alerts (feed), by-model (table)",
            await RefusedAsync("describe_section", """{"dashboard":"costs","section":"budgett"}"""), StringComparison.Ordinal);
        await TheNextCallWorksAsync();
    }

    [Fact]
    public async Task Oversized_content_is_refused_with_the_ingest_limit_and_nothing_is_stored()
    {
        var big = new string('x', 70 * 1024);
        var text = await RefusedAsync("append_event", $$$"""{"dashboard":"costs","section":"alerts","action":"budget_warning","content":{"category":"{{{big}}}","current":1,"limit":2}}""");
        Assert.Contains("over the limit of 65536 bytes; send less content", text, StringComparison.Ordinal);
        var (_, stored) = await Session.CallAsync("append_event", """{"dashboard":"costs","section":"alerts","action":"budget_warning","content":{"category":"gpu","current":1,"limit":2}}""");
        Assert.Equal(1, Seq(stored)); // the refused one took no seq
    }

    [Fact]
    public async Task An_unknown_tool_is_a_tool_error_naming_the_four_and_the_session_goes_on()
    {
        var text = await RefusedAsync("drop_table", "{}");
        Assert.Contains("\"drop_table\": no such tool; the tools are list_dashboards, describe_section, append_event, read_dashboard", text, StringComparison.Ordinal);
        Assert.Contains("\"x\": unknown argument; list_dashboards takes none", await RefusedAsync("list_dashboards", """{"x":1}"""), StringComparison.Ordinal);
        await TheNextCallWorksAsync();
    }
}
