using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.KeyValueStore;
using Pulseboard.Log.JetStream;
using Pulseboard.Tests.Support;

namespace Pulseboard.Tests.Log;

/// <summary>
/// The KV lease on a real nats-server: one holder at a time, renewed by compare-and-set, let go by the bucket's max age
/// or by a release. Each test has a bucket of its own. Real time (the server expires the key): waits are on conditions,
/// bounded, and nothing asserts how long anything took.
/// </summary>
public sealed class JetStreamLeaseTests(NatsServerProcess nats) : IClassFixture<NatsServerProcess>
{
    private static readonly TimeSpan Ttl = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task One_node_holds_the_lease_and_renews_it_while_the_other_sees_who_holds_it()
    {
        await using var a = await OpenAsync("ONE", "node-a");
        await using var b = await OpenAsync("ONE", "node-b");

        Assert.Equal(new LeaseRound(true, "node-a", null), await a.TryHoldAsync(CancellationToken.None));
        Assert.Equal(new LeaseRound(false, "node-a", null), await b.TryHoldAsync(CancellationToken.None));
        Assert.Equal(new LeaseRound(true, "node-a", null), await a.TryHoldAsync(CancellationToken.None)); // renewed
        Assert.Equal(new LeaseRound(false, "node-a", null), await b.TryHoldAsync(CancellationToken.None));
    }

    [Fact]
    public async Task A_holder_that_stops_renewing_is_replaced_once_the_bucket_expires_its_key()
    {
        await using var b = await OpenAsync("EXPIRY", "node-b");
        await using (var a = await OpenAsync("EXPIRY", "node-a"))
        {
            Assert.True((await a.TryHoldAsync(CancellationToken.None)).Held);
            // a dies: it neither renews nor releases
        }
        Assert.Equal("node-a", (await b.TryHoldAsync(CancellationToken.None)).Holder);
        var round = await UntilHeldAsync(b);
        Assert.Equal(new LeaseRound(true, "node-b", null), round);
    }

    [Fact]
    public async Task A_released_lease_is_taken_at_once_and_its_old_holder_cannot_renew_it()
    {
        await using var a = await OpenAsync("RELEASE", "node-a");
        await using var b = await OpenAsync("RELEASE", "node-b");
        Assert.True((await a.TryHoldAsync(CancellationToken.None)).Held);
        await a.ReleaseAsync(CancellationToken.None);

        Assert.Equal(new LeaseRound(true, "node-b", null), await b.TryHoldAsync(CancellationToken.None));
        Assert.Equal(new LeaseRound(false, "node-b", null), await a.TryHoldAsync(CancellationToken.None));
    }

    [Fact]
    public async Task A_renew_that_loses_the_compare_and_set_loses_the_lease()
    {
        await using var a = await OpenAsync("CAS", "node-a");
        Assert.True((await a.TryHoldAsync(CancellationToken.None)).Held);
        // Someone else wrote the key (an operator, a node on a clock gone wrong): a's revision is stale.
        await using (var connection = new NatsConnection(NatsOpts.Default with { Url = nats.Url }))
        {
            var store = await new NatsKVContext(new NatsJSContext(connection)).GetStoreAsync("CAS");
            await store.PutAsync("alerts", "node-c");
        }
        Assert.Equal(new LeaseRound(false, "node-c", null), await a.TryHoldAsync(CancellationToken.None));
    }

    private Task<JetStreamLease> OpenAsync(string bucket, string holder) =>
        JetStreamLease.OpenAsync(nats.Url, bucket, "alerts", holder, Ttl, 1, CancellationToken.None);

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
