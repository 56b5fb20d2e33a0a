using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Pulseboard.Server.Alerts;

namespace Pulseboard.Tests.Alerts;

/// <summary>The delivery half as the server wires it (outbox, sender, delivery service), on a fake clock the test moves.</summary>
internal sealed class DeliveryRig : IAsyncDisposable
{
    private DeliveryRig(string data, NotifierSet notifiers, TimeProvider time)
    {
        Time = time;
        Outbox = new AlertOutbox(data, time, NullLogger.Instance);
        Service = new AlertDelivery(Outbox, Sender, notifiers, Counters, Policy, time, NullLogger<AlertDelivery>.Instance);
    }

    public static DateTimeOffset Start { get; } = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);

    public TimeProvider Time { get; }

    public FakeTimeProvider Fake => (FakeTimeProvider)Time;

    public DeliveryPolicy Policy { get; } = DeliveryPolicy.Default;

    public AlertOutbox Outbox { get; }

    public NoticeSender Sender { get; } = new();

    public DeliveryCounters Counters { get; } = new();

    public AlertDelivery Service { get; }

    public static async Task<DeliveryRig> StartAsync(string data, string notifiersYaml, TimeProvider? time = null)
    {
        var notifiers = NotifierSet.Parse("notifiers.yaml", Encoding.UTF8.GetBytes(notifiersYaml));
        Assert.Empty(notifiers.Errors);
        var rig = new DeliveryRig(data, notifiers, time ?? new FakeTimeProvider(Start));
        await rig.Service.StartAsync(CancellationToken.None);
        return rig;
    }

    /// <summary>Waits, with a bound, until <paramref name="condition"/> holds.</summary>
    public static async Task UntilAsync(Func<bool> condition, string what)
    {
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (!condition())
        {
            Assert.False(bound.IsCancellationRequested, $"waited 60 s for {what}");
            await Task.Yield();
        }
    }

    public static AlertNotice Notice(string id, string status = "firing", params string[] notify) => new(
        id, status, "model-down", "fleet", "nodes", new Dictionary<string, string> { ["source"] = "llama-3" },
        "llama-3 on fleet/nodes is down (last seen 12:03:04Z)", Start, status == "resolved" ? Start.AddMinutes(5) : null,
        "http://127.0.0.1:5080/d/fleet", notify.Length == 0 ? ["hook"] : notify);

    public async ValueTask DisposeAsync()
    {
        await Service.StopAsync(CancellationToken.None);
        Service.Dispose();
        Outbox.Dispose();
        Sender.Dispose();
    }
}
