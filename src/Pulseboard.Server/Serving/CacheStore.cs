using System.Collections.Concurrent;
using System.Security.Cryptography;
using Pulseboard.Projection.Caches;

namespace Pulseboard.Server.Serving;

/// <summary>One cache as served: its bytes, ETag and Server-Sent Events frame, computed once when the file changed.</summary>
/// <param name="Bytes">The cache file's bytes (one line of JSON).</param>
/// <param name="ETag">A strong validator: a hash of the bytes, quoted.</param>
/// <param name="Written">The file's write time, to notice a change.</param>
/// <param name="Position">The cache's position: the SSE event id.</param>
/// <param name="Frame">The SSE frame every stream of this dashboard sends: <c>id</c>, <c>event: cache</c>, one <c>data</c> line.</param>
/// <param name="Summary">Its line of <c>GET /api/dashboards</c>.</param>
/// <param name="Samples">Its numbers for <c>/metrics</c>.</param>
internal sealed record ServedCache(byte[] Bytes, string ETag, DateTime Written, long Position, byte[] Frame, DashboardSummary Summary, Metrics.SectionSamples Samples)
{
    /// <summary>
    /// Read so soon after it was written that another write could still carry the same write time: file times tick
    /// coarsely (a few milliseconds on Linux), and the projector may rewrite a cache within one tick. Such a cache is
    /// read again at the next refresh and compared by its bytes (what git calls "racily clean").
    /// </summary>
    public bool Racy { get; init; }
}

/// <summary>
/// The caches in memory: loaded from <c>caches/&lt;id&gt;.json</c> at start, then taken from the projector as it writes
/// them (<see cref="Accept"/>), so a request costs
/// no file access and a <c>304</c> no serialization. Thread-safe: a refresh publishes every cache it reloaded and the
/// overview at once, so a reader never sees a cache newer than the list of dashboards, or the other way round.
/// </summary>
internal sealed class CacheStore(ServerOptions options)
{
    private readonly string _directory = CacheFiles.Directory(options.DataDirectory);
    private readonly Lock _refreshing = new();
    private volatile Snapshot _snapshot = new(new Dictionary<string, ServedCache>(StringComparer.Ordinal), []);
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _signals = new(StringComparer.Ordinal);

    public bool TryGet(string id, out ServedCache cache) => _snapshot.Caches.TryGetValue(id, out cache!);

    /// <summary>Completes when the cache of <paramref name="id"/> next changes.</summary>
    public Task ChangedAsync(string id) =>
        _signals.GetOrAdd(id, static _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    public IEnumerable<KeyValuePair<string, ServedCache>> All => _snapshot.Caches.OrderBy(c => c.Key, StringComparer.Ordinal);

    /// <summary>What readers see: replaced whole, never changed.</summary>
    private sealed record Snapshot(Dictionary<string, ServedCache> Caches, IReadOnlyList<DashboardSummary> Overview);

    private static readonly TimeSpan s_racyWindow = TimeSpan.FromSeconds(1);

    /// <summary>Every cache's <see cref="DashboardSummary"/>, in list order: computed when a cache changes, not per request.</summary>
    public IReadOnlyList<DashboardSummary> Overview => _snapshot.Overview;

    /// <summary>
    /// A cache as served, from its bytes parsed once: its position, its line of the dashboard list and its numbers for
    /// /metrics all come from the one document.
    /// </summary>
    private static ServedCache Serve(string id, byte[] bytes, DateTime written)
    {
        System.Text.Json.JsonDocument? document = null;
        try
        {
            document = System.Text.Json.JsonDocument.Parse(bytes);
        }
        catch (System.Text.Json.JsonException)
        {
            // a torn or hand-edited file: served as it is, listed, with no numbers
        }
        using (document)
        {
            var root = document?.RootElement;
            var position = root is { ValueKind: System.Text.Json.JsonValueKind.Object } r && r.TryGetProperty("position", out var p) && p.TryGetInt64(out var at) ? at : 0;
            return new ServedCache(bytes, $"\"{Convert.ToHexStringLower(SHA256.HashData(bytes))[..32]}\"", written, position, Frame(position, bytes),
                DashboardOverview.Read(id, root, $"/api/dashboards/{id}"), Metrics.SectionSamples.Read(root));
        }
    }

    /// <summary>
    /// One SSE frame: the cache is one line of JSON (the writer never breaks lines, and strings escape newlines), so
    /// a single <c>data:</c> field carries it and nothing in it can start another field.
    /// </summary>
    private static byte[] Frame(long position, byte[] json)
    {
        if (json.AsSpan().IndexOfAny((byte)'\n', (byte)'\r') >= 0)
        {
            json = Compact(json); // a cache file edited by hand: one line again
        }
        var head = System.Text.Encoding.ASCII.GetBytes(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"id: {position}\nevent: cache\ndata: "));
        var frame = new byte[head.Length + json.Length + 2];
        head.CopyTo(frame, 0);
        json.CopyTo(frame, head.Length);
        frame[^2] = (byte)'\n';
        frame[^1] = (byte)'\n';
        return frame;
    }

    private static byte[] Compact(byte[] json)
    {
        using var document = System.Text.Json.JsonDocument.Parse(json);
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(json.Length);
        using (var writer = new System.Text.Json.Utf8JsonWriter(buffer))
        {
            document.RootElement.WriteTo(writer);
        }
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>
    /// Serves the caches a projector cycle of this server just wrote, from the bytes it hands over: no file is read
    /// back. Each is parsed once here, for its position, overview line and /metrics numbers.
    /// </summary>
    public void Accept(IReadOnlyList<KeyValuePair<string, byte[]>> written)
    {
        if (written.Count == 0)
        {
            return;
        }
        lock (_refreshing)
        {
            var caches = new Dictionary<string, ServedCache>(_snapshot.Caches, StringComparer.Ordinal);
            foreach (var (id, bytes) in written)
            {
                // No write time: were the file ever rewritten by another process, Refresh compares it by its bytes.
                caches[id] = Serve(id, bytes, DateTime.MinValue) with { Racy = true };
            }
            Publish(caches, [.. written.Select(w => w.Key)]);
        }
    }

    /// <summary>Reloads every cache file whose write time moved.</summary>
    public void Refresh()
    {
        lock (_refreshing)
        {
            RefreshLocked();
        }
    }

    private void RefreshLocked()
    {
        var changed = new List<string>();
        var caches = new Dictionary<string, ServedCache>(_snapshot.Caches, StringComparer.Ordinal);
        foreach (var id in CacheFiles.Ids(_directory))
        {
            var path = CacheFiles.PathOf(_directory, id);
            var written = File.GetLastWriteTimeUtc(path);
            var known = caches.GetValueOrDefault(id);
            if (known is not null && known.Written == written && !known.Racy)
            {
                continue;
            }
            byte[] bytes;
            try
            {
                bytes = File.ReadAllBytes(path);
            }
            catch (IOException)
            {
                continue; // replaced while we looked: the next refresh takes the new one
            }
            var racy = DateTime.UtcNow - written < s_racyWindow; // the file system's clock, not the server's TimeProvider: mtimes are wall time
            if (known is not null && known.Bytes.AsSpan().SequenceEqual(bytes))
            {
                caches[id] = known with { Written = written, Racy = racy }; // racily clean, or handed over by the projector
                continue;
            }
            caches[id] = Serve(id, bytes, written) with { Racy = racy };
            changed.Add(id);
        }
        Publish(caches, changed);
    }

    private void Publish(Dictionary<string, ServedCache> caches, List<string> changed)
    {
        _snapshot = new Snapshot(caches, changed.Count > 0 ? DashboardOverview.Sort(caches.Values.Select(c => c.Summary)) : _snapshot.Overview);
        foreach (var id in changed)
        {
            if (_signals.TryRemove(id, out var signal))
            {
                signal.TrySetResult();
            }
        }
    }
}
