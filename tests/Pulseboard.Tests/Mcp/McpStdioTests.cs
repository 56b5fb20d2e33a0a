using System.Text.Json;
using Pulseboard.Projection.Caches;
using Pulseboard.Tests.Support;

namespace Pulseboard.Tests.Mcp;

/// <summary>
/// <c>pulseboard mcp</c> as a real child process over stdio, on a data folder no server runs on: it writes the log
/// itself, and reading brings the caches up to the log's end first.
/// </summary>
public sealed class McpStdioTests : McpToolContract
{
    internal override Task<McpSession> ConnectAsync() => McpSession.StdioAsync(Data.Path, Path.Combine(Repo.Root, "dashboards"));

    protected override async Task<JsonElement> CacheAtAsync(string dashboard, long seq)
    {
        var (isError, text) = await Session.CallAsync("read_dashboard", $$"""{"dashboard":"{{dashboard}}"}""");
        Assert.False(isError, text);
        var cache = JsonDocument.Parse(await File.ReadAllBytesAsync(CacheFiles.PathOf(CacheFiles.Directory(Data.Path), dashboard))).RootElement.Clone();
        Assert.True(cache.GetProperty("position").GetInt64() >= seq, $"read_dashboard brought {dashboard} up to seq {seq}");
        return cache;
    }

    public override async Task DisposeAsync()
    {
        var session = Session;
        await base.DisposeAsync();
        Assert.NotNull(session.ChildPid);
        Assert.Equal(0, session.ChildExitCode); // it stopped by itself when its standard input closed
    }

    [Fact]
    public async Task Events_go_into_the_log_and_the_log_is_not_held_between_calls()
    {
        var (isError, text) = await Session.CallAsync("append_event", """{"dashboard":"costs","section":"spend","action":"spend","content":{"usd":2.5,"model":"haiku","tokens":900}}""");
        Assert.False(isError, text);
        Assert.Equal(1, Seq(text));
        // Another writer (a server starting) can take the log while the session stays open.
        await using (var log = Pulseboard.Log.FileEventLog.Open(new Pulseboard.Log.FileEventLogOptions { DataDirectory = Data.Path }))
        {
            Assert.Equal(1, log.End);
        }
        (isError, text) = await Session.CallAsync("read_dashboard", """{"dashboard":"costs"}""");
        Assert.False(isError, text);
        Assert.Contains("spend-total — counter \"Spend recorded (USD)\", updated", text, StringComparison.Ordinal);
        Assert.Contains("  2.5 from 1 events", text, StringComparison.Ordinal);
        Assert.Contains("  - \"haiku\" | 2.5 | 900, ", text, StringComparison.Ordinal);
    }
}
