namespace Pulseboard.Projection.Sections;

/// <summary>
/// Newest-first items, at most <c>max</c>, each optionally under a key that a later item replaces or a removal
/// deletes, all in constant time: what feeds and tables keep.
/// </summary>
internal sealed class RecentList<T>(int max)
{
    private readonly LinkedList<(string? Key, T Value)> _items = new();
    private readonly Dictionary<string, LinkedListNode<(string? Key, T Value)>> _byKey = new(StringComparer.Ordinal);

    public int Count => _items.Count;

    /// <summary>The items, newest first.</summary>
    public IEnumerable<T> NewestFirst
    {
        get
        {
            for (var node = _items.First; node is not null; node = node.Next)
            {
                yield return node.Value.Value;
            }
        }
    }

    /// <summary>Deletes the item under <paramref name="key"/>, if any.</summary>
    public void Remove(string key)
    {
        if (_byKey.Remove(key, out var node))
        {
            _items.Remove(node);
        }
    }

    /// <summary>Adds an item as the newest, replacing the one under its key; drops the oldest past the cap.</summary>
    public void AddNewest(string? key, T value)
    {
        if (key is not null)
        {
            Remove(key);
            _byKey[key] = _items.AddFirst((key, value));
        }
        else
        {
            _items.AddFirst((null, value));
        }
        while (_items.Count > max)
        {
            var oldest = _items.Last!;
            _items.RemoveLast();
            if (oldest.Value.Key is { } dropped)
            {
                _byKey.Remove(dropped);
            }
        }
    }

    /// <summary>Adds an item as the oldest, when loading items written newest first.</summary>
    public void AddOldest(string? key, T value)
    {
        var node = _items.AddLast((key, value));
        if (key is not null)
        {
            _byKey[key] = node;
        }
    }
}
