using System.Net;
using System.Net.Sockets;
using System.Text;
using Pulseboard.Tests.Support;
using Xunit.Abstractions;

namespace Pulseboard.Tests.Reliability;

/// <summary>
/// Slow-drip bodies on a raw socket against a real server: a body a byte at a time is stored while other requests are
/// answered; a body abandoned halfway stores nothing; a body that stalls is cut off with an answer, not a hang.
/// </summary>
public sealed class SlowBodyTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string Event = """{"dashboard":"costs","section":"alerts","action":"budget_warning","content":{"category":"drip","current":1,"limit":2}}""";
    private readonly TempDirectory _data = new();
    private TestServer _server = null!;

    public async Task InitializeAsync() => _server = await TestServer.StartAsync(TestServer.Options(_data.Path));

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _data.Dispose();
    }

    private async Task<Socket> ConnectAsync()
    {
        var uri = new Uri(_server.Url);
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(IPAddress.Loopback, uri.Port);
        return socket;
    }

    private static byte[] Head(int contentLength) => Encoding.ASCII.GetBytes(
        $"POST /api/events HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {contentLength}\r\n\r\n");

    /// <summary>Reads one whole answer: its head, then a Content-Length body or chunks up to the last, empty one.</summary>
    private static async Task<string> ReadAnswerAsync(Socket socket)
    {
        var buffer = new byte[4096];
        var answer = "";
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (!Complete(answer))
        {
            var read = await socket.ReceiveAsync(buffer, SocketFlags.None, bound.Token);
            if (read == 0)
            {
                break;
            }
            answer += Encoding.ASCII.GetString(buffer, 0, read);
        }
        return answer;
    }

    private static bool Complete(string answer)
    {
        var headEnd = answer.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        if (headEnd < 0)
        {
            return false;
        }
        var length = answer[..headEnd].Split("\r\n").FirstOrDefault(l => l.StartsWith("Content-Length: ", StringComparison.OrdinalIgnoreCase));
        return length is not null
            ? answer.Length - headEnd - 4 >= int.Parse(length["Content-Length: ".Length..], System.Globalization.CultureInfo.InvariantCulture)
            : answer.EndsWith("\r\n0\r\n\r\n", StringComparison.Ordinal);
    }

    private async Task<long> LogEndAsync()
    {
        var metrics = await _server.Http.GetStringAsync("/metrics");
        var line = metrics.Split('\n').Single(l => l.StartsWith("pulseboard_log_end_seq ", StringComparison.Ordinal));
        return long.Parse(line["pulseboard_log_end_seq ".Length..], System.Globalization.CultureInfo.InvariantCulture);
    }

    [Fact]
    public async Task A_body_sent_a_byte_at_a_time_is_stored_while_other_requests_are_answered()
    {
        var body = Encoding.UTF8.GetBytes(Event);
        using var socket = await ConnectAsync();
        await socket.SendAsync(Head(body.Length), SocketFlags.None);
        using var pace = new PeriodicTimer(TimeSpan.FromMilliseconds(2)); // the drip itself: about 250 bytes a second
        var others = 0;
        for (var i = 0; i < body.Length; i++)
        {
            await socket.SendAsync(body.AsMemory(i, 1), SocketFlags.None);
            if (i % 20 == 0)
            {
                // Meanwhile the server answers everyone else.
                Assert.Equal(HttpStatusCode.OK, (await _server.Http.GetAsync("/healthz")).StatusCode);
                others++;
            }
            await pace.WaitForNextTickAsync();
        }
        var answer = await ReadAnswerAsync(socket);
        output.WriteLine($"{body.Length} bytes one at a time, {others} other requests answered meanwhile: {answer.Split("\r\n")[0]}");
        Assert.StartsWith("HTTP/1.1 202", answer, StringComparison.Ordinal);
        Assert.Equal(1, await LogEndAsync());
    }

    [Fact]
    public async Task A_body_abandoned_halfway_stores_nothing_and_the_server_stays_up()
    {
        var body = Encoding.UTF8.GetBytes(Event);
        using (var socket = await ConnectAsync())
        {
            await socket.SendAsync(Head(body.Length), SocketFlags.None);
            await socket.SendAsync(body.AsMemory(0, body.Length / 2), SocketFlags.None);
        } // closed by the client with half the body sent

        using (var response = await _server.Http.PostAsync("/api/events", new StringContent(Event, Encoding.UTF8, "application/json")))
        {
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        }
        Assert.Equal(1, await LogEndAsync()); // the whole event, not the half one
    }

    [Fact]
    public async Task A_body_that_stalls_is_cut_off_with_an_answer_and_stores_nothing()
    {
        var body = Encoding.UTF8.GetBytes(Event);
        using var socket = await ConnectAsync();
        await socket.SendAsync(Head(body.Length), SocketFlags.None);
        await socket.SendAsync(body.AsMemory(0, 10), SocketFlags.None);
        // Nothing more: the server's minimum body rate (240 bytes a second after a 5 s grace) must end the request.
        var answer = await ReadAnswerAsync(socket);
        output.WriteLine(answer);
        Assert.StartsWith("HTTP/1.1 408", answer, StringComparison.Ordinal);
        Assert.Contains("Body too slow", answer, StringComparison.Ordinal);
        Assert.Equal(0, await LogEndAsync());
        Assert.Equal(HttpStatusCode.OK, (await _server.Http.GetAsync("/healthz")).StatusCode);
    }
}
