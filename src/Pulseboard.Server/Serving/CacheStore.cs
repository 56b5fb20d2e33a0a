using System.Collections.Concurrent;
using System.Security.Cryptography;
using Pulseboard.Projection.Caches;

namespace Pulseboard.Server.Serving;

/// <summary>One cache as served: its bytes and its ETag, computed once when the file changed.</summary>
/// <param name="Bytes">The cache file's bytes.</param>
/// <param name="ETag">A strong validator: a hash of the bytes, quoted.</param>
/// <param name="Written">The file's write time, to notice a change.</param>
internal sealed record ServedCache(byte[] Bytes, string ETag, DateTime Written);

/// <summary>
/// The caches in memory, reloaded from <c>caches/&lt;id&gt;.json</c> after each projector cycle, so a request costs
/// no file access and a <c>304</c> no serialization. Thread-safe.
/// </summary>
internal sealed class CacheStore(ServerOptions options)
{
    private readonly string _directory = CacheFiles.Directory(options.DataDirectory);
    private readonly ConcurrentDictionary<string, ServedCache> _caches = new(StringComparer.Ordinal);

    /// <summary>Raised with the ids whose cache changed, after <see cref="Refresh"/>.</summary>
    public event Action<IReadOnlyList<string>>? Changed;

    public bool TryGet(string id, out ServedCache cache) => _caches.TryGetValue(id, out cache!);

    public IEnumerable<KeyValuePair<string, ServedCache>> All => _caches.OrderBy(c => c.Key, StringComparer.Ordinal);

    /// <summary>Reloads every cache file whose write time moved.</summary>
    public void Refresh()
    {
        var changed = new List<string>();
        foreach (var id in CacheFiles.Ids(_directory))
        {
            var path = CacheFiles.PathOf(_directory, id);
            var written = File.GetLastWriteTimeUtc(path);
            if (_caches.TryGetValue(id, out var known) && known.Written == written)
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
            _caches[id] = new ServedCache(bytes, $"\"{Convert.ToHexStringLower(SHA256.HashData(bytes))[..32]}\"", written);
            changed.Add(id);
        }
        if (changed.Count > 0)
        {
            Changed?.Invoke(changed);
        }
    }
}
