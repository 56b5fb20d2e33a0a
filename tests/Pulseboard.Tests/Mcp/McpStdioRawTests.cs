using System.Diagnostics;
using System.Text.Json;
using Pulseboard.Tests.Support;

namespace Pulseboard.Tests.Mcp;

/// <summary>
/// What no SDK client sends, written on the child's standard input by hand: a line that is not JSON, a call whose
/// arguments are not an object, a call without a name. Each gets an answer or is skipped; the session is never dropped.
/// </summary>
public sealed class McpStdioRawTests : IDisposable
{
    private readonly TempDirectory _data = new();

    public void Dispose() => _data.Dispose();

    [Fact]
    public async Task Malformed_messages_do_not_drop_the_stdio_session()
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { Path.Combine(AppContext.BaseDirectory, "pulseboard.dll"), "mcp", "--data", _data.Path, "--dashboards", Path.Combine(Repo.Root, "dashboards") })
        {
            start.ArgumentList.Add(arg);
        }
        using var child = Process.Start(start)!;
        var stderr = child.StandardError.ReadToEndAsync();
        try
        {
            using var bound = new CancellationTokenSource(TimeSpan.FromMinutes(2));
            async Task<JsonElement> AnswerAsync(int id)
            {
                while (await child.StandardOutput.ReadLineAsync(bound.Token) is { } line)
                {
                    var message = JsonDocument.Parse(line).RootElement; // stdout carries the protocol and nothing else
                    if (message.TryGetProperty("id", out var of) && of.ValueKind == JsonValueKind.Number && of.GetInt32() == id)
                    {
                        return message.Clone();
                    }
                }
                throw new Xunit.Sdk.XunitException($"the session ended before answering {id}: {await stderr}");
            }
            async Task SendAsync(string line)
            {
                await child.StandardInput.WriteLineAsync(line);
                await child.StandardInput.FlushAsync();
            }

            await SendAsync("""{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}""");
            Assert.Equal("pulseboard", (await AnswerAsync(1)).GetProperty("result").GetProperty("serverInfo").GetProperty("name").GetString());
            await SendAsync("""{"jsonrpc":"2.0","method":"notifications/initialized"}""");
            await SendAsync("this is not JSON {");
            await SendAsync("""{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"append_event","arguments":"dashboard=costs"}}""");
            Assert.True((await AnswerAsync(2)).TryGetProperty("error", out _)); // not a tool call at all: a protocol error
            await SendAsync("""{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"arguments":{}}}""");
            var nameless = await AnswerAsync(3);
            Assert.True(nameless.TryGetProperty("error", out _) || nameless.GetProperty("result").GetProperty("isError").GetBoolean());
            await SendAsync("""{"jsonrpc":"2.0","id":4,"method":"tools/call","params":{"name":"append_event","arguments":{"dashboard":"costs","section":"alerts","action":"budget_warning","content":{"category":"gpu","current":1,"limit":2}}}}""");
            var stored = (await AnswerAsync(4)).GetProperty("result");
            Assert.False(stored.TryGetProperty("isError", out var isError) && isError.GetBoolean(), stored.ToString());
            Assert.Equal(1, McpToolContract.Seq(stored.GetProperty("content")[0].GetProperty("text").GetString()!));
            // Reading projects first, and the projector reports what it rebuilt: on standard error, never standard output.
            await SendAsync("""{"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"name":"read_dashboard","arguments":{"dashboard":"costs"}}}""");
            Assert.Contains("budget_warning: gpu at 1 of 2", (await AnswerAsync(5)).GetProperty("result").GetProperty("content")[0].GetProperty("text").GetString(), StringComparison.Ordinal);

            child.StandardInput.Close();
            await child.WaitForExitAsync(bound.Token);
            Assert.Equal(0, child.ExitCode);
            Assert.Contains("rebuilding its cache from the log", await stderr, StringComparison.Ordinal);
        }
        finally
        {
            if (!child.HasExited)
            {
                child.Kill(entireProcessTree: true); // by this process's own handle: the child it started
            }
        }
    }
}
