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

    /// <summary>How long the key outlives its last renew: the bucket's max age.</summary>
    public TimeSpan Ttl { get; }

    /// <summary>
    /// Connects to <paramref name="urls"/> and creates the bucket when it is missing (or sets its max age to
    /// <paramref name="ttl"/>: the nodes of one cluster should agree on it).
    /// </summary>
    /// <exception cref="LogWriteException">No server answered, or the bucket could not be created; the message names the URLs tried.</exception>
    public static async Task<JetStreamLease> OpenAsync(string urls, string bucket, string key, string holder, TimeSpan ttl, int replicas, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(urls);
        var connection = new NatsConnection(NatsOpts.Default with { Url = urls, Name = "pulseboard-lease" });
        try
        {
            await connection.ConnectAsync().ConfigureAwait(false);
            return await OpenAsync(connection, new NatsJSContext(connection), ownsConnection: true, bucket, key, holder, ttl, replicas, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is NatsException or TimeoutException)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw new LogWriteException($"Could not open the lease bucket {bucket} at {urls}: {ex.Message}. Check that nats-server runs there with JetStream enabled (-js).", ex, faulted: false);
        }
    }

    /// <summary>On a connection already open (the log's: its servers, login and reconnects); <paramref name="ownsConnection"/> says whether disposing closes it.</summary>
    internal static async Task<JetStreamLease> OpenAsync(NatsConnection connection, NatsJSContext js, bool ownsConnection, string bucket, string key, string holder, TimeSpan ttl, int replicas, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        ArgumentException.ThrowIfNullOrEmpty(holder);
        var kv = new NatsKVContext(js);
        var store = await kv.CreateOrUpdateStoreAsync(new NatsKVConfig(bucket)
        {
            Description = "Pulseboard's leases: which node does what must be done once (alert notices)",
            History = 1,
            MaxAge = ttl,
            Storage = NatsKVStorageType.File,
            NumberOfReplicas = replicas,
        }, cancellationToken).ConfigureAwait(false);
        return new JetStreamLease(ownsConnection ? connection : null, store, key, holder, ttl);
    }

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
