using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.KeyValueStore;

namespace Pulseboard.Log.JetStream;

/// <summary>What one <see cref="JetStreamLease.TryHoldAsync"/> saw.</summary>
/// <param name="Held">This holder took or renewed the lease.</param>
/// <param name="Holder">Who holds it as far as the bucket said (this holder when <paramref name="Held"/>); null when
/// nobody does or the bucket could not be asked.</param>
/// <param name="Problem">Why the bucket could not be asked (the connection, a timeout); null when it answered.</param>
internal readonly record struct LeaseRound(bool Held, string? Holder, string? Problem);

/// <summary>
/// A lease on one key of a JetStream key-value bucket, so that one node at a time does what must be done once: taken
/// by creating the key when it is absent, renewed by updating it with the revision this holder last wrote
/// (compare-and-set), and let go by the bucket's max age when its holder stops renewing (it died, or lost the
/// network). Nothing home-made: JetStream orders the writes and expires the key.
/// </summary>
/// <remarks>
/// One caller at a time (the node's lease loop). A renew that fails — another holder's revision, a timeout, a lost
/// connection — is a lost lease: the caller stops at once and asks again at its next round. The key outlives the holder
/// by at most <see cref="Ttl"/> after its last renew; a caller that renews every <c>Ttl / 3</c> keeps it through two
/// failed rounds. Dispose closes the connection (it does not release the lease: call <see cref="ReleaseAsync"/>).
/// </remarks>
internal sealed class JetStreamLease : IAsyncDisposable
{
    private readonly NatsConnection? _connection;
    private readonly INatsKVStore _bucket;
    private readonly string _key;
    private ulong _revision;

    private JetStreamLease(NatsConnection? connection, INatsKVStore bucket, string key, string holder, TimeSpan ttl)
    {
        _connection = connection;
        _bucket = bucket;
        _key = key;
        Holder = holder;
        Ttl = ttl;
    }

    /// <summary>The default bucket: <c>PULSEBOARD_LEASES</c>.</summary>
    public const string DefaultBucket = "PULSEBOARD_LEASES";

    /// <summary>This holder's name, the key's value while it holds the lease.</summary>
    public string Holder { get; }

    /// <summary>How long the key outlives its last renew: the bucket's max age (which the first node to open it set).</summary>
    public TimeSpan Ttl { get; }

    /// <summary>
    /// On a connection already open (the log's: its servers, login and reconnects); <paramref name="ownsConnection"/>
    /// says whether disposing closes it. Creates the bucket with <paramref name="ttl"/> as its max age when it is missing;
    /// when it exists its max age is kept and is the lease's <see cref="Ttl"/>, whatever <paramref name="ttl"/> says: the
    /// bucket expires the key, so a holder that counted on a longer TTL would count itself valid after another node took
    /// over.
    /// </summary>
    internal static async Task<JetStreamLease> OpenAsync(NatsConnection connection, NatsJSContext js, bool ownsConnection, string bucket, string key, string holder, TimeSpan ttl, int replicas, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        ArgumentException.ThrowIfNullOrEmpty(holder);
        var kv = new NatsKVContext(js);
        INatsKVStore store;
        try
        {
            store = await kv.GetStoreAsync(bucket, cancellationToken).ConfigureAwait(false);
        }
        catch (NatsJSApiException ex) when (ex.Error.Code == 404)
        {
            store = await CreateAsync(kv, bucket, ttl, replicas, cancellationToken).ConfigureAwait(false);
        }
        var status = await store.GetStatusAsync(cancellationToken).ConfigureAwait(false);
        var maxAge = status.Info.Config.MaxAge;
        return new JetStreamLease(ownsConnection ? connection : null, store, key, holder, maxAge > TimeSpan.Zero ? maxAge : ttl);
    }

    /// <summary>Creates the bucket; when another node created it meanwhile, that one (with its max age).</summary>
    private static async Task<INatsKVStore> CreateAsync(NatsKVContext kv, string bucket, TimeSpan ttl, int replicas, CancellationToken cancellationToken)
    {
        try
        {
            return await kv.CreateStoreAsync(new NatsKVConfig(bucket)
            {
                Description = "Pulseboard's leases: which node does what must be done once (alert notices)",
                History = 1,
                MaxAge = ttl,
                Storage = NatsKVStorageType.File,
                NumberOfReplicas = replicas,
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (NatsJSApiException ex) when (ex.Error.ErrCode == StreamNameInUse)
        {
            return await kv.GetStoreAsync(bucket, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>JetStream's "stream name already in use with a different configuration".</summary>
    private const int StreamNameInUse = 10058;

    /// <summary>
    /// Takes the lease when nobody holds it, renews it when this holder does; answers who holds it. Never throws for
    /// the bucket's failures: they are a lost round (<see cref="LeaseRound.Problem"/>).
    /// </summary>
    public async ValueTask<LeaseRound> TryHoldAsync(CancellationToken cancellationToken)
    {
        try
        {
            if (_revision != 0)
            {
                var renewed = await _bucket.TryUpdateAsync(_key, Holder, _revision, cancellationToken: cancellationToken).ConfigureAwait(false);
                if (renewed.Success)
                {
                    _revision = renewed.Value;
                    return new LeaseRound(true, Holder, null);
                }
                _revision = 0; // another holder wrote since, or the key expired: taken again below only if it is free
            }
            var created = await _bucket.TryCreateAsync(_key, Holder, cancellationToken: cancellationToken).ConfigureAwait(false);
            if (created.Success)
            {
                _revision = created.Value;
                return new LeaseRound(true, Holder, null);
            }
            var entry = await _bucket.TryGetEntryAsync<string>(_key, cancellationToken: cancellationToken).ConfigureAwait(false);
            if (!entry.Success)
            {
                return new LeaseRound(false, null, null); // expired or released between the two calls: the next round takes it
            }
            if (entry.Value.Value == Holder)
            {
                // Ours, from a renew whose answer was lost (a timeout): renew from the revision the bucket has.
                var resumed = await _bucket.TryUpdateAsync(_key, Holder, entry.Value.Revision, cancellationToken: cancellationToken).ConfigureAwait(false);
                if (resumed.Success)
                {
                    _revision = resumed.Value;
                    return new LeaseRound(true, Holder, null);
                }
                return new LeaseRound(false, null, null);
            }
            return new LeaseRound(false, entry.Value.Value, null);
        }
        catch (Exception ex) when (ex is NatsException or TimeoutException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            _revision = 0;
            return new LeaseRound(false, null, ex.Message);
        }
    }

    /// <summary>Deletes the key if this holder still holds it, so another node takes over without waiting for the TTL.</summary>
    public async ValueTask ReleaseAsync(CancellationToken cancellationToken)
    {
        if (_revision == 0)
        {
            return;
        }
        try
        {
            await _bucket.TryDeleteAsync(_key, new NatsKVDeleteOpts { Revision = _revision }, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is NatsException or TimeoutException or OperationCanceledException)
        {
            // the key expires by itself
        }
        _revision = 0;
    }

    /// <summary>Closes the connection when the lease opened its own.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_connection is not null)
        {
            await _connection.DisposeAsync().ConfigureAwait(false);
        }
    }
}
