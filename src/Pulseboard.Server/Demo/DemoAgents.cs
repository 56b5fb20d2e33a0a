using Microsoft.Extensions.Hosting;
using Pulseboard.Log;

namespace Pulseboard.Server.Demo;

/// <summary>
/// <c>serve --demo</c>: simulated agents inside the server, a few events a second, feeding every section of every
/// sample dashboard within a round of the deck (under 14 s). Two weeks of history come first, so charts and daily counts
/// have lines at once. One local model goes quiet after two minutes, so late and down show.
/// </summary>
/// <remarks>
/// Each tick deals one card from a shuffled deck holding every kind of event (the frequent ones several times), so
/// nothing waits on luck to appear; the seeded dice make the run the same every time.
/// </remarks>
internal sealed class DemoAgents : BackgroundService
{
    /// <summary>How often a tick deals a card.</summary>
    public static readonly TimeSpan Period = TimeSpan.FromMilliseconds(500);

    private const int HeartbeatEveryTicks = 10; // every 5 s: well inside fleet's 30 s and command-center's 60 s
    private static readonly TimeSpan s_quietAfter = TimeSpan.FromMinutes(2);

    private readonly IEventLog _log;
    private readonly TimeProvider _time;
    private readonly DateTimeOffset _started;
    private readonly DemoWriter _writer = new(seed: 2026);
    private readonly ModelFleet _fleet;
    private readonly Action<DateTimeOffset>[] _history;
    private readonly Action[] _deck;
    private int _dealt;
    private int _tick;

    public DemoAgents(IEventLog log, TimeProvider time, string checksDashboard = "checks")
    {
        _log = log;
        _time = time;
        _started = time.GetUtcNow();
        _fleet = new ModelFleet(_writer);
        var orchestrator = new Orchestrator(_writer);
        var spending = new Spending(_writer);
        var arbitrage = new Arbitrage(_writer);
        var kickstarter = new Kickstarter(_writer);
        var nova = new NovaLaunch(_writer);
        var filings = new Filings(_writer);
        var cron = new CronJobs(_writer, checksDashboard);
        _history = [_fleet.History, orchestrator.History, spending.History, arbitrage.History, kickstarter.History, nova.History, filings.History, cron.History];
        _deck =
        [
            () => spending.Spend(), () => spending.Spend(), () => spending.Spend(), spending.Alert,
            orchestrator.Inquiry, orchestrator.Inquiry, orchestrator.CloseLead, orchestrator.Summary,
            orchestrator.OpenTask, orchestrator.CompleteTask, orchestrator.FlagOverdue,
            arbitrage.Find, arbitrage.Find, arbitrage.Trade,
            () => kickstarter.Backers(), () => kickstarter.Backers(), kickstarter.Status, kickstarter.Comment,
            () => nova.Signup(), () => nova.Signup(), nova.Waitlist, () => nova.Inquiry(Orchestrator.Companies),
            filings.OfficeResponse, filings.MeetDeadline,
            cron.Run, cron.Push, cron.Metrics,
        ];
        _dealt = _deck.Length;
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) => RunAsync(stoppingToken);

    /// <summary>Appends the history, then a tick's events every <see cref="Period"/> until cancelled.</summary>
    /// <remarks>The timer is created before the first await, so a test on fake time may advance it once this returns.</remarks>
    internal async Task RunAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(Period, _time);
        await _log.AppendAsync(History(), cancellationToken).ConfigureAwait(false);
        while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
        {
            try
            {
                await _log.AppendAsync(Tick(), cancellationToken).ConfigureAwait(false);
            }
            catch (LogWriteException)
            {
                // The disk refused: the demo waits for the next tick like any agent would.
            }
        }
    }

    /// <summary>Two weeks of past events in time order, so feeds list them as they happened.</summary>
    private List<Event> History()
    {
        var now = _time.GetUtcNow();
        foreach (var history in _history)
        {
            history(now);
        }
        return [.. _writer.Take().OrderBy(e => e.Timestamp)];
    }

    /// <summary>One card (one to three events) and, every few seconds, the models' heartbeats: never an empty tick.</summary>
    private List<Event> Tick()
    {
        _writer.Now = _time.GetUtcNow();
        if (_tick++ % HeartbeatEveryTicks == 0)
        {
            _fleet.Heartbeats(quiet: _writer.Now - _started > s_quietAfter);
        }
        if (_dealt == _deck.Length)
        {
            _writer.Random.Shuffle(_deck);
            _dealt = 0;
        }
        _deck[_dealt++]();
        return _writer.Take();
    }
}
