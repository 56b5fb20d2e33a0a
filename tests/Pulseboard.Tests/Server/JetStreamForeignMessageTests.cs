using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using NATS.Client.Core;
using NATS.Client.JetStream;
using Pulseboard.Log;
using Pulseboard.Log.JetStream;
using Pulseboard.Tests.Support;

namespace Pulseboard.Tests.Server;

/// <summary>
/// Any NATS client of the account can publish on <c>pulseboard.events.&gt;</c>: what Pulseboard did not write is
/// skipped by every node (not taken for an expiry that rebuilds the caches), and never stops a node.
/// </summary>
public sealed class JetStreamForeignMessageTests(NatsServerProcess nats) : IClassFixture<NatsServerProcess>, IAsyncLifetime
{
    private const string OtherStream = "PB_OPTIONS";
    private readonly TempDirectory _data = new();

    /// <summary>Each test starts from no stream (both take the same subjects).</summary>
    public async Task InitializeAsync()
    {
        await nats.DeleteStreamAsync();
        await nats.DeleteStreamAsync(OtherStream);
    }

    public async Task DisposeAsync()
    {
        await nats.DeleteStreamAsync(OtherStream);
        _data.Dispose();
    }

    private Pulseboard.Server.ServerOptions Options(JetStreamEventLogOptions? log = null, int maxEventBytes = EventRules.DefaultMaxEventBytes) => new()
    {
        Urls = "http://127.0.0.1:0",
        DataDirectory = _data.Path,
        DashboardsDirectory = Path.Combine(Repo.Root, "dashboards"),
        JetStream = log ?? new JetStreamEventLogOptions { Urls = nats.Url },
        MaxEventBytes = maxEventBytes,
    };

    [Fact]
    public async Task Foreign_and_empty_messages_between_events_are_skipped_and_nothing_is_rebuilt()
    {
        var logger = new Recorder();
        await using var server = await TestServer.StartAsync(Options(), services => services.AddSingleton<ILoggerProvider>(logger));
        Assert.Equal(HttpStatusCode.Accepted, await PostAsync(server, """[{"dashboard":"costs","section":"spend","action":"spent","content":{"usd":1}},{"dashboard":"costs","section":"spend","action":"spent","content":{"usd":2}}]"""));
        await server.ProjectedAsync(2);

        await using (var connection = new NatsConnection(NatsOpts.Default with { Url = nats.Url }))
        {
            var js = new NatsJSContext(connection);
            // Stored by the stream (each is acknowledged), none written by Pulseboard: a body that is no JSON, an empty
            // one, and an event's JSON without Pulseboard's header.
            (await js.PublishAsync("pulseboard.events.costs.spend", "not json"u8.ToArray())).EnsureSuccess();
            (await js.PublishAsync("pulseboard.events.x.y", Array.Empty<byte>())).EnsureSuccess();
            (await js.PublishAsync("pulseboard.events.costs.spend", """{"dashboard":"costs","section":"spend","action":"spent","content":{"usd":100}}"""u8.ToArray())).EnsureSuccess();
        }
        Assert.Equal(HttpStatusCode.Accepted, await PostAsync(server, """[{"dashboard":"costs","section":"spend","action":"spent","content":{"usd":4}},{"dashboard":"costs","section":"spend","action":"spent","content":{"usd":8}}]"""));
        await server.ProjectedAsync(7);

        var cache = await CacheAsync(server);
        Assert.Equal(7, cache.GetProperty("position").GetInt64());
        Assert.Equal(15, cache.GetProperty("sections").GetProperty("spend-total").GetProperty("value").GetDouble()); // 1+2+4+8: no event lost, none foreign
        Assert.DoesNotContain(logger.Messages, m => m.Contains("its cache needs seq", StringComparison.Ordinal)); // no expiry taken for a foreign position

        // Read straight from the log: the foreign positions are skipped, the log still starts at 1.
        await using var log = await JetStreamEventLog.OpenAsync(new JetStreamEventLogOptions { Urls = nats.Url });
        var records = new List<LogRecord>();
        using var cursor = log.OpenCursor(1);
        while (cursor.Read(records, 100) > 0)
        {
        }
        Assert.Equal([1L, 2, 6, 7], records.Select(r => r.Seq));
        Assert.Equal(8, cursor.Next);
        Assert.Equal(1, log.Start);
    }

    [Fact]
    public async Task A_message_with_the_header_that_is_no_event_does_not_stop_the_node()
    {
        var logger = new Recorder();
        await using var server = await TestServer.StartAsync(Options(), services => services.AddSingleton<ILoggerProvider>(logger));
        Assert.Equal(HttpStatusCode.Accepted, await PostAsync(server, """{"dashboard":"costs","section":"spend","action":"spent","content":{"usd":1}}"""));
        await server.ProjectedAsync(1);
        await using (var connection = new NatsConnection(NatsOpts.Default with { Url = nats.Url }))
        {
            // Forged: Pulseboard's header on a JSON object that is not an event.
            var headers = new NatsHeaders { ["Pulseboard-Format"] = "1" };
            (await new NatsJSContext(connection).PublishAsync("pulseboard.events.costs.spend", """{"not":"an event"}"""u8.ToArray(), headers: headers)).EnsureSuccess();
        }
        Assert.Equal(HttpStatusCode.Accepted, await PostAsync(server, """{"dashboard":"costs","section":"spend","action":"spent","content":{"usd":2}}"""));

        await logger.Parse.Task.WaitAsync(TimeSpan.FromSeconds(60));
        var lifetime = server.App.Services.GetRequiredService<IHostApplicationLifetime>();
        Assert.False(lifetime.ApplicationStopping.IsCancellationRequested, "the host stopped on a line that is no event");
        Assert.Equal(HttpStatusCode.Accepted, await PostAsync(server, """{"dashboard":"costs","section":"spend","action":"spent","content":{"usd":4}}"""));
        Assert.Equal(1, (await CacheAsync(server)).GetProperty("position").GetInt64());
    }

    [Fact]
    public async Task Every_JetStream_option_of_the_server_reaches_the_log_but_its_event_size()
    {
        var given = new JetStreamEventLogOptions
        {
            Urls = nats.Url, Stream = OtherStream, Replicas = 1, MaxAge = TimeSpan.FromDays(2), DuplicateWindow = TimeSpan.FromMinutes(3),
            UnavailableAfter = TimeSpan.FromSeconds(4), MaxEventBytes = 1000,
        };
        await using var server = await TestServer.StartAsync(Options(given, maxEventBytes: 2000));
        var log = Assert.IsType<JetStreamEventLog>(server.App.Services.GetRequiredService<IEventLog>());
        var used = log.Options;
        Assert.Equal(
            (given.Urls, given.Stream, given.Replicas, given.CredsFile, given.MaxAge, given.DuplicateWindow, given.UnavailableAfter, 2000),
            (used.Urls, used.Stream, used.Replicas, used.CredsFile, used.MaxAge, used.DuplicateWindow, used.UnavailableAfter, used.MaxEventBytes));
        foreach (var property in typeof(JetStreamEventLogOptions).GetProperties().Where(p => p.Name != nameof(JetStreamEventLogOptions.MaxEventBytes)))
        {
            Assert.Equal(property.GetValue(given), property.GetValue(used)); // a field added later is passed through too
        }
    }

    private static async Task<HttpStatusCode> PostAsync(TestServer server, string json)
    {
        using var content = new StringContent(json, Encoding.UTF8, "application/json");
        using var response = await server.Http.PostAsync("/api/events", content);
        return response.StatusCode;
    }

    private static async Task<JsonElement> CacheAsync(TestServer server)
    {
        using var response = await server.Http.GetAsync("/api/dashboards/costs");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    /// <summary>Records what the server logs; <see cref="Parse"/> completes once the projector says a line did not parse.</summary>
    private sealed class Recorder : ILoggerProvider, ILogger
    {
        private readonly List<string> _messages = [];

        public TaskCompletionSource Parse { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public IReadOnlyList<string> Messages
        {
            get
            {
                lock (_messages)
                {
                    return [.. _messages];
                }
            }
        }

        public ILogger CreateLogger(string categoryName) => this;

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var message = formatter(state, exception);
            lock (_messages)
            {
                _messages.Add(message);
            }
            if (message.Contains("cannot parse", StringComparison.Ordinal))
            {
                Parse.TrySetResult();
            }
        }

        public void Dispose()
        {
        }
    }
}
