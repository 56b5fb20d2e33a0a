using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Pulseboard.Server;
using Pulseboard.Server.Alerts;
using Pulseboard.Tests.Support;

namespace Pulseboard.Tests.Alerts;

/// <summary>An outbox that keeps what it is given, in order: the delivery half's stand-in in the engine's tests.</summary>
internal sealed class RecordingOutbox : IAlertOutbox
{
    private readonly Lock _lock = new();
    private readonly List<AlertNotice> _notices = [];

    public IReadOnlyList<AlertNotice> Notices
    {
        get
        {
            lock (_lock)
            {
                return [.. _notices];
            }
        }
    }

    public void Enqueue(AlertNotice notice)
    {
        lock (_lock)
        {
            _notices.Add(notice);
        }
    }
}

/// <summary>
/// A real server on loopback with a fake clock, the test's definitions and a recording outbox; the clock moves only
/// when the test says, and each step waits (with a bound) for the alert evaluation at the new time.
/// </summary>
internal sealed class AlertHarness : IAsyncDisposable
{
    public static readonly DateTimeOffset T0 = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);

    private readonly TempDirectory _data = new();
    private readonly TempDirectory _dashboards = new();

    private readonly INotifyingLease? _lease;

    private AlertHarness(string yaml, INotifyingLease? lease)
    {
        _lease = lease;
        File.WriteAllText(Path.Combine(_dashboards.Path, "fleet.yaml"), yaml);
    }

    public FakeTimeProvider Clock { get; } = new(T0);

    public RecordingOutbox Outbox { get; private set; } = new();

    private string? _publicUrl;

    public TestServer Server { get; private set; } = null!;

    public string DataPath => _data.Path;

    public DateTimeOffset Now => Clock.GetUtcNow();

    /// <summary>Starts the server; with <paramref name="lease"/>, the notifying node is the test's to decide (else this one, as on the file log).</summary>
    public static async Task<AlertHarness> StartAsync(string yaml, INotifyingLease? lease = null, string? publicUrl = null)
    {
        var harness = new AlertHarness(yaml, lease) { _publicUrl = publicUrl };
        await harness.StartServerAsync();
        return harness;
    }

    private async Task StartServerAsync(bool restart = false)
    {
        var outbox = Outbox;
        Server = await TestServer.StartAsync(new ServerOptions
        {
            Urls = "http://127.0.0.1:0",
            DataDirectory = _data.Path,
            DashboardsDirectory = _dashboards.Path,
            TimeProvider = Clock,
            ProjectorDebounce = TimeSpan.Zero,
            PublicUrl = _publicUrl,
        }, services =>
        {
            services.AddSingleton<IAlertOutbox>(outbox);
            if (_lease is not null)
            {
                services.AddSingleton(_lease);
            }
        });
        if (!restart)
        {
            await Server.ProjectedAsync(0); // the first cycle writes the caches (a restart with nothing new runs none)
        }
        await EvaluatedAsync();
    }

    /// <summary>Stops the server and starts another on the same data, clock and outbox: a restart.</summary>
    public async Task RestartAsync()
    {
        await Server.DisposeAsync();
        await StartServerAsync(restart: true);
    }

    public AlertEngine Engine => Server.App.Services.GetRequiredService<AlertEngine>();

    /// <summary>Waits for an evaluation at the clock's time that has matched every event appended so far.</summary>
    public Task EvaluatedAsync(long seq = 0) =>
        Engine.EvaluatedAsync(Now, seq, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));

    /// <summary>Moves the clock by one second at a time, waiting for the evaluation after each.</summary>
    public async Task TickAsync(int seconds = 1)
    {
        for (var i = 0; i < seconds; i++)
        {
            Clock.Advance(TimeSpan.FromSeconds(1));
            await EvaluatedAsync();
        }
    }

    /// <summary>Posts one event to fleet, waits until it is projected and evaluated; returns its seq.</summary>
    public async Task<long> PostAsync(string section, string action, string content, string? source = null, string priority = "normal", DateTimeOffset? at = null)
    {
        var json = $$"""{"dashboard":"fleet","section":"{{section}}","action":"{{action}}","priority":"{{priority}}","timestamp":"{{(at ?? Now).ToString("O", CultureInfo.InvariantCulture)}}","content":{{content}}{{(source is null ? "" : $",\"source\":\"{source}\"")}}}""";
        using var response = await Server.Http.PostAsync("/api/events", new StringContent(json, Encoding.UTF8, "application/json"));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        var seq = JsonDocument.Parse(body).RootElement.GetProperty("last").GetInt64();
        await Server.ProjectedAsync(seq);
        await EvaluatedAsync(seq);
        return seq;
    }

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        _data.Dispose();
        _dashboards.Dispose();
    }
}
