using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Pulseboard.Log;
using Pulseboard.Server;
using Pulseboard.Server.Alerts;
using Pulseboard.Tests.Support;

namespace Pulseboard.Tests.Alerts;

/// <summary>
/// Where event alerts start on a first start. Since .NET 10 a BackgroundService's ExecuteAsync runs wholly on the
/// thread pool, so Kestrel may take an event before the engine loaded its state: "what the log held before" must be
/// the log as the server started, not as the engine's loop first looked at it.
/// </summary>
public sealed class AlertEngineStartTests : IDisposable
{
    private readonly TempDirectory _data = new();
    private readonly TempDirectory _dashboards = new();

    public void Dispose()
    {
        _data.Dispose();
        _dashboards.Dispose();
    }

    [Fact]
    public async Task On_a_first_start_an_event_taken_before_the_engine_loop_ran_is_notified_and_one_from_before_the_start_is_not()
    {
        File.WriteAllText(Path.Combine(_dashboards.Path, "ops.yaml"), """
            title: Ops
            sections:
              incidents:
                kind: feed
            alerts:
              critical:
                when: { event: { priority: critical } }
                notify: [team]
            """);
        var outbox = new RecordingOutbox();
        var clock = new FakeTimeProvider(AlertHarness.T0);
        await using var app = PulseboardServer.Build(new ServerOptions
        {
            Urls = "http://127.0.0.1:0", DataDirectory = _data.Path, DashboardsDirectory = _dashboards.Path, TimeProvider = clock,
            ProjectorDebounce = TimeSpan.Zero,
        }, logging => logging.ClearProviders(), services => services.AddSingleton<IAlertOutbox>(outbox));
        var log = app.Services.GetRequiredService<IEventLog>();
        await log.AppendAsync([Critical("before_start")]); // history: in the log before the server started
        var engine = app.Services.GetRequiredService<AlertEngine>(); // as the host starts: before anything listens
        var taken = await log.AppendAsync([Critical("while_starting")]); // as Kestrel could take it before the loop runs
        var seq = taken[0].Position;
        await app.StartAsync();
        try
        {
            await engine.EvaluatedAsync(clock.GetUtcNow(), seq, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
            Assert.Equal([$"ops/critical/{seq}"], outbox.Notices.Select(n => n.Id));
        }
        finally
        {
            await app.StopAsync();
        }
    }

    private static Event Critical(string action) => new() { Dashboard = "ops", Section = "incidents", Action = action, Priority = Priority.Critical };
}
