using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Pulseboard.Log;
using Pulseboard.Server;
using Pulseboard.Server.Alerts;
using Pulseboard.Tests.Support;

namespace Pulseboard.Tests.Alerts;

/// <summary>
/// A log whose reads fail (a JetStream stream that does not answer): heartbeat and value alerts go on from the caches,
/// and event alerts catch up once reads work again. A real server on loopback and a fake clock; the file log under a
/// switch that makes every cursor read throw the <see cref="IOException"/> an unreachable stream throws.
/// </summary>
public sealed class AlertsWhileTheLogFailsTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);
    private readonly TempDirectory _data = new();
    private readonly TempDirectory _dashboards = new();
    private readonly FakeTimeProvider _clock = new(T0);

    public void Dispose()
    {
        _data.Dispose();
        _dashboards.Dispose();
    }

    [Fact]
    public async Task A_heartbeat_alert_fires_while_reads_fail_and_an_event_alert_catches_up_after()
    {
        File.WriteAllText(Path.Combine(_dashboards.Path, "fleet.yaml"), """
            title: Fleet
            sections:
              nodes:
                kind: heartbeat
                every: 10s
              log:
                kind: feed
            alerts:
              model-down:
                when: { section: nodes, status: down }
                notify: [team]
              critical:
                when: { event: { priority: critical } }
                notify: [team]
            """);
        var outbox = new RecordingOutbox();
        FailingReads? log = null;
        await using var server = await TestServer.StartAsync(new ServerOptions
        {
            Urls = "http://127.0.0.1:0",
            DataDirectory = _data.Path,
            DashboardsDirectory = _dashboards.Path,
            TimeProvider = _clock,
            ProjectorDebounce = TimeSpan.Zero,
        }, services =>
        {
            services.AddSingleton<IAlertOutbox>(outbox);
            services.AddSingleton<IEventLog>(provider => log = new FailingReads(provider.GetRequiredService<FileEventLog>()));
        });
        var engine = server.App.Services.GetRequiredService<AlertEngine>();
        Task EvaluatedAsync(long seq = 0) => engine.EvaluatedAsync(_clock.GetUtcNow(), seq, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
        await server.ProjectedAsync(0);
        var beat = await PostAsync(server, "nodes", "normal", "llama-3");
        await server.ProjectedAsync(beat);
        await EvaluatedAsync(beat);

        log!.Failing = true;
        var critical = await PostAsync(server, "log", "critical", "agent"); // appended; no read can reach it yet
        // every 10s, grace 10s: down once silent longer than 40 s.
        for (var i = 0; i < 45; i++)
        {
            _clock.Advance(TimeSpan.FromSeconds(1));
            await EvaluatedAsync(); // an evaluation that threw on the read would never come
        }
        var down = Assert.Single(outbox.Notices);
        Assert.Equal(("firing", "model-down"), (down.Status, down.Alert));

        log.Failing = false;
        _clock.Advance(TimeSpan.FromSeconds(1));
        await EvaluatedAsync(critical);
        Assert.Equal(["model-down", "critical"], outbox.Notices.Select(n => n.Alert));
        Assert.Equal($"fleet/critical/{critical}", outbox.Notices[1].Id);
    }

    private async Task<long> PostAsync(TestServer server, string section, string priority, string source)
    {
        var at = _clock.GetUtcNow().ToString("O", CultureInfo.InvariantCulture);
        var json = $$"""{"dashboard":"fleet","section":"{{section}}","action":"note","priority":"{{priority}}","source":"{{source}}","timestamp":"{{at}}"}""";
        using var response = await server.Http.PostAsync("/api/events", new StringContent(json, Encoding.UTF8, "application/json"));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        return JsonDocument.Parse(body).RootElement.GetProperty("last").GetInt64();
    }

    /// <summary>The file log, whose cursors' reads throw while <see cref="Failing"/> is set; the container disposes the file log itself.</summary>
    private sealed class FailingReads(FileEventLog inner) : IEventLog
    {
        public volatile bool Failing;

        public long Start => inner.Start;

        public long End => inner.End;

        public LogCursor OpenCursor(long from) => new(new Reader(this, inner.OpenCursor(from)), from);

        public ValueTask WaitForAsync(long after, CancellationToken cancellationToken) => inner.WaitForAsync(after, cancellationToken);

        public ValueTask<IReadOnlyList<AppendOutcome>> AppendAsync(IReadOnlyList<Event> events, CancellationToken cancellationToken = default) => inner.AppendAsync(events, cancellationToken);

        public ValueTask<IReadOnlyList<AppendOutcome>> AppendDurableAsync(IReadOnlyList<Event> events, CancellationToken cancellationToken = default) => inner.AppendDurableAsync(events, cancellationToken);

        public ValueTask<PurgeResult> PurgeAsync(DateTimeOffset before, CancellationToken cancellationToken = default) => inner.PurgeAsync(before, cancellationToken);

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;

        private sealed class Reader(FailingReads log, LogCursor cursor) : IRecordReader
        {
            public int Read(ref long next, List<LogRecord> into, int max)
            {
                if (log.Failing)
                {
                    throw new LogUnreachableException("The stream PULSEBOARD at nats://127.0.0.1:4222 did not answer (a test's switch).", null);
                }
                var read = cursor.Read(into, max);
                next = cursor.Next;
                return read;
            }

            public void Dispose() => cursor.Dispose();
        }
    }
}
