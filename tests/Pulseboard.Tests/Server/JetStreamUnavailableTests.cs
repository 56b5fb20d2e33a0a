using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Pulseboard.Log;
using Pulseboard.Log.JetStream;
using Pulseboard.Tests.Support;

namespace Pulseboard.Tests.Server;

/// <summary>
/// The NATS server goes away under a running Pulseboard node: ingest answers 503 with Retry-After, never 202 for an
/// event no quorum acknowledged; once it is back, the retry with the same ids is stored once.
/// </summary>
public sealed class JetStreamUnavailableTests(NatsServerProcess nats) : IClassFixture<NatsServerProcess>, IDisposable
{
    private static readonly TimeSpan s_unavailableAfter = TimeSpan.FromSeconds(3);
    private readonly TempDirectory _data = new();

    public void Dispose() => _data.Dispose();

    private JetStreamEventLogOptions LogOptions => new() { Urls = nats.Url, UnavailableAfter = s_unavailableAfter };

    [Fact]
    public async Task A_stopped_server_gets_503_with_Retry_After_and_the_retry_once_it_is_back_stores_each_id_once()
    {
        await nats.DeleteStreamAsync();
        var options = new Pulseboard.Server.ServerOptions
        {
            Urls = "http://127.0.0.1:0", DataDirectory = _data.Path, DashboardsDirectory = Path.Combine(Repo.Root, "dashboards"), Log = nats.Url,
        };
        await using var server = await TestServer.StartAsync(options, services =>
            services.AddSingleton<IEventLog>(_ => JetStreamEventLog.OpenAsync(LogOptions).GetAwaiter().GetResult()));
        server.Http.Timeout = TimeSpan.FromSeconds(60); // the bound: the node must answer well within it
        var first = await PostAsync(server, """[{"dashboard":"costs","section":"spend","action":"spent","id":"a1","content":{"usd":1}},{"dashboard":"costs","section":"spend","action":"spent","content":{"usd":2}}]""");
        Assert.Equal(HttpStatusCode.Accepted, first.Status);

        await nats.KillAsync();
        const string Batch = """[{"dashboard":"costs","section":"spend","action":"spent","id":"b1","content":{"usd":3}},{"dashboard":"costs","section":"spend","action":"spent","id":"b2","content":{"usd":4}}]""";
        var refused = await PostAsync(server, Batch);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.Status);
        Assert.True(int.TryParse(refused.RetryAfter, out var seconds) && seconds >= 1, $"Retry-After: {refused.RetryAfter}");
        var problem = JsonDocument.Parse(refused.Body).RootElement;
        Assert.Contains("retry after", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Contains("same ids", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Empty(problem.GetProperty("stored").EnumerateArray());

        await nats.RestartAsync();
        var retried = await PostUntilAcceptedAsync(server, Batch);
        Assert.Equal(HttpStatusCode.Accepted, retried.Status);
        var again = await PostAsync(server, Batch); // within the duplicate window: answered with the same seqs
        Assert.Equal(HttpStatusCode.Accepted, again.Status);

        await using var reader = await JetStreamEventLog.OpenAsync(LogOptions);
        var events = Read(reader);
        Assert.Equal([1L, 2, 3, 4], events.Select(e => e.Seq));
        Assert.Equal(["a1", null], events.Take(2).Select(e => e.Event.Id)); // a generated Nats-Msg-Id is not written into the event
        Assert.Equal(["b1", "b2"], events.Skip(2).Select(e => e.Event.Id!).Order()); // each once; a retried batch may land in another order
    }

    [Fact]
    public async Task The_log_gives_up_after_its_bound_with_RetryAfter_and_what_was_stored()
    {
        await nats.DeleteStreamAsync();
        await using var log = await JetStreamEventLog.OpenAsync(LogOptions);
        Assert.Equal([AppendOutcome.At(1)], await log.AppendAsync([Sample.Make(0, id: "x0")]));
        await nats.KillAsync();
        try
        {
            var error = await Assert.ThrowsAsync<LogWriteException>(async () => await log.AppendAsync([Sample.Make(1, id: "x1"), Sample.Make(2)]));
            Assert.NotNull(error.RetryAfter);
            Assert.Empty(error.Stored);
            Assert.False(error.Faulted);
            Assert.Contains("Retry with the same ids", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            await nats.RestartAsync();
        }
        var outcomes = await RetryAsync(() => log.AppendAsync([Sample.Make(1, id: "x1"), Sample.Make(0, id: "x0")]));
        // x1 was not acknowledged, but the client may have sent its buffered publish on reconnecting: stored either way, once.
        Assert.Equal((2L, true), (outcomes[0].Position, outcomes[0].Stored));
        Assert.Equal(AppendOutcome.DuplicateOf(1), outcomes[1]);
        Assert.Equal(["x0", "x1"], Read(log).Select(e => e.Event.Id).OfType<string>());
    }

    private static async Task<IReadOnlyList<AppendOutcome>> RetryAsync(Func<ValueTask<IReadOnlyList<AppendOutcome>>> append)
    {
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (true)
        {
            try
            {
                return await append();
            }
            catch (LogWriteException ex) when (ex.RetryAfter is not null && !bound.IsCancellationRequested)
            {
                // The client has not reconnected yet; the caller retries, as the error says.
            }
        }
    }

    private static List<(long Seq, Event Event)> Read(JetStreamEventLog log)
    {
        var records = new List<LogRecord>();
        using var cursor = log.OpenCursor(1);
        while (cursor.Read(records, 100) > 0)
        {
        }
        return records.ConvertAll(r => (r.Seq, r.ToEvent()));
    }

    private static async Task<(HttpStatusCode Status, string? RetryAfter, string Body)> PostAsync(TestServer server, string json)
    {
        using var content = new StringContent(json, Encoding.UTF8, "application/json");
        using var response = await server.Http.PostAsync("/api/events", content);
        return (response.StatusCode, response.Headers.RetryAfter?.Delta?.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture), await response.Content.ReadAsStringAsync());
    }

    /// <summary>Posts until the node answers anything but 503 (bounded: a minute); the client reconnects on its own schedule.</summary>
    private static async Task<(HttpStatusCode Status, string? RetryAfter, string Body)> PostUntilAcceptedAsync(TestServer server, string json)
    {
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (true)
        {
            var answer = await PostAsync(server, json);
            if (answer.Status != HttpStatusCode.ServiceUnavailable || bound.IsCancellationRequested)
            {
                return answer;
            }
        }
    }
}
