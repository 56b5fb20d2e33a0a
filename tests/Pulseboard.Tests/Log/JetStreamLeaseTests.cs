using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.KeyValueStore;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Pulseboard.Log.JetStream;
using Pulseboard.Server;
using Pulseboard.Server.Alerts;
using Pulseboard.Tests.Support;

namespace Pulseboard.Tests.Log;

/// <summary>
/// The KV lease on a real nats-server: one holder at a time, renewed by compare-and-set, let go by the bucket's max age
/// or by a release. Each test has a bucket of its own; leases open on a log's connection, as a node's do. Real time (the
/// server expires the key): waits are on conditions, bounded, and nothing asserts how long anything took.
/// </summary>
public sealed class JetStreamLeaseTests(NatsServerProcess nats) : IClassFixture<NatsServerProcess>
{
    private static readonly TimeSpan Ttl = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task One_node_holds_the_lease_and_renews_it_while_the_other_sees_who_holds_it()
    {
        await using var log = await OpenLogAsync();
        var a = await OpenAsync(log, "ONE", "node-a");
        var b = await OpenAsync(log, "ONE", "node-b");

        Assert.Equal(new LeaseRound(true, "node-a", null), await a.TryHoldAsync(CancellationToken.None));
        Assert.Equal(new LeaseRound(false, "node-a", null), await b.TryHoldAsync(CancellationToken.None));
        Assert.Equal(new LeaseRound(true, "node-a", null), await a.TryHoldAsync(CancellationToken.None)); // renewed
        Assert.Equal(new LeaseRound(false, "node-a", null), await b.TryHoldAsync(CancellationToken.None));
    }

    [Fact]
    public async Task A_holder_that_stops_renewing_is_replaced_once_the_bucket_expires_its_key()
    {
        await using var log = await OpenLogAsync();
        var b = await OpenAsync(log, "EXPIRY", "node-b");
        var a = await OpenAsync(log, "EXPIRY", "node-a");
        Assert.True((await a.TryHoldAsync(CancellationToken.None)).Held);
        // a dies: it neither renews nor releases
        Assert.Equal("node-a", (await b.TryHoldAsync(CancellationToken.None)).Holder);
        var round = await UntilHeldAsync(b);
        Assert.Equal(new LeaseRound(true, "node-b", null), round);
    }

    [Fact]
    public async Task A_released_lease_is_taken_at_once_and_its_old_holder_cannot_renew_it()
    {
        await using var log = await OpenLogAsync();
        var a = await OpenAsync(log, "RELEASE", "node-a");
        var b = await OpenAsync(log, "RELEASE", "node-b");
        Assert.True((await a.TryHoldAsync(CancellationToken.None)).Held);
        await a.ReleaseAsync(CancellationToken.None);

        Assert.Equal(new LeaseRound(true, "node-b", null), await b.TryHoldAsync(CancellationToken.None));
        Assert.Equal(new LeaseRound(false, "node-b", null), await a.TryHoldAsync(CancellationToken.None));
    }

    [Fact]
    public async Task A_renew_that_loses_the_compare_and_set_loses_the_lease()
    {
        await using var log = await OpenLogAsync();
        var a = await OpenAsync(log, "CAS", "node-a");
        Assert.True((await a.TryHoldAsync(CancellationToken.None)).Held);
        // Someone else wrote the key (an operator, a node on a clock gone wrong): a's revision is stale.
        await using (var connection = new NatsConnection(NatsOpts.Default with { Url = nats.Url }))
        {
            var store = await new NatsKVContext(new NatsJSContext(connection)).GetStoreAsync("CAS");
            await store.PutAsync("alerts", "node-c");
        }
        Assert.Equal(new LeaseRound(false, "node-c", null), await a.TryHoldAsync(CancellationToken.None));
    }

    [Fact]
    public async Task The_bucket_s_max_age_is_the_ttl_of_every_holder_whatever_ttl_each_node_was_given()
    {
        await using var log = await OpenLogAsync();
        var a = await log.OpenLeaseAsync("TTLS", "alerts", "node-a", TimeSpan.FromSeconds(6), CancellationToken.None);
        // b was started with a shorter --alert-lease-ttl: were the bucket to take it, a's key would expire under a, who
        // would still count itself the holder for 6 s while b took over.
        var b = await log.OpenLeaseAsync("TTLS", "alerts", "node-b", TimeSpan.FromSeconds(2), CancellationToken.None);

        Assert.Equal((TimeSpan.FromSeconds(6), TimeSpan.FromSeconds(6)), (a.Ttl, b.Ttl));
        Assert.Equal(TimeSpan.FromSeconds(6), await MaxAgeAsync("TTLS"));
    }

    [Fact]
    public async Task A_node_goes_by_the_bucket_s_max_age_for_its_renews_validity_and_lookback()
    {
        await using var log = await OpenLogAsync();
        await log.OpenLeaseAsync(JetStreamLease.DefaultBucket, JetStreamNotifyingLease.Key, "node-a", TimeSpan.FromSeconds(6), CancellationToken.None);
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
        var node = new JetStreamNotifyingLease(new ServerOptions { AlertLeaseTtl = TimeSpan.FromSeconds(2), TimeProvider = time }, log, NullLoggerFactory.Instance);
        await node.StartAsync(CancellationToken.None);
        try
        {
            using var bound = new CancellationTokenSource(Bound);
            while (node.Ttl != TimeSpan.FromSeconds(6))
            {
                await Task.Delay(10, bound.Token); // polls a condition, bounded: the first round opens the bucket
            }
            Assert.Equal(TimeSpan.FromSeconds(12), node.Lookback);
        }
        finally
        {
            await node.StopAsync(CancellationToken.None);
            node.Dispose();
        }
    }

    [Fact]
    public async Task A_holder_s_validity_is_measured_on_the_monotonic_clock_so_a_wall_clock_stepped_back_does_not_extend_it()
    {
        await using var log = await OpenLogAsync();
        var time = new SteppedClock();
        var node = new JetStreamNotifyingLease(new ServerOptions { AlertLeaseTtl = TimeSpan.FromSeconds(10), TimeProvider = time }, log, NullLoggerFactory.Instance);
        node.Observe(new LeaseRound(true, node.Node, null), time.GetTimestamp()); // a renew, sent now
        Assert.True(node.State.Held);

        time.Step = TimeSpan.FromHours(-1); // NTP steps the wall clock back an hour
        time.Advance(TimeSpan.FromSeconds(9));
        Assert.True(node.State.Held);
        time.Advance(TimeSpan.FromSeconds(1)); // a TTL since the renew was sent: the key may be gone, another node may hold it
        Assert.False(node.State.Held);
    }

    /// <summary>A fake clock whose wall time can be stepped (as NTP does) while its monotonic timestamp only moves forward.</summary>
    private sealed class SteppedClock() : FakeTimeProvider(DateTimeOffset.UnixEpoch.AddDays(1))
    {
        public TimeSpan Step { get; set; }

        public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + Step;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => base.GetUtcNow().UtcTicks; // FakeTimeProvider's own reads the wall time
    }

    private Task<JetStreamEventLog> OpenLogAsync() =>
        JetStreamEventLog.OpenAsync(new JetStreamEventLogOptions { Urls = nats.Url, Stream = "LEASES_TESTS" });

    private async Task<JetStreamLease> OpenAsync(JetStreamEventLog log, string bucket, string holder) =>
        await log.OpenLeaseAsync(bucket, "alerts", holder, Ttl, CancellationToken.None);

    private async Task<TimeSpan> MaxAgeAsync(string bucket)
    {
        await using var connection = new NatsConnection(NatsOpts.Default with { Url = nats.Url });
        var store = await new NatsKVContext(new NatsJSContext(connection)).GetStoreAsync(bucket);
        return (await store.GetStatusAsync()).Info.Config.MaxAge;
    }

    /// <summary>Asks every third of a TTL, as a node does, until <paramref name="lease"/> holds (bounded: a minute).</summary>
    private static async Task<LeaseRound> UntilHeldAsync(JetStreamLease lease)
    {
        using var bound = new CancellationTokenSource(Bound);
        while (true)
        {
            var round = await lease.TryHoldAsync(bound.Token);
            if (round.Held)
            {
                return round;
            }
            Assert.False(bound.IsCancellationRequested, $"waited {Bound.TotalSeconds} s for the expired lease");
            await Task.Delay(Ttl / 3, bound.Token);
        }
    }
}
