using System.Text;
using Pulseboard.Server;
using Pulseboard.Server.Serving;
using Pulseboard.Tests.Support;

namespace Pulseboard.Tests.Server;

public sealed class CacheStoreTests : IDisposable
{
    private readonly TempDirectory _data = new();

    public void Dispose() => _data.Dispose();

    [Fact]
    public void A_cache_rewritten_within_one_tick_of_the_file_clock_is_still_reloaded()
    {
        // File times tick coarsely (milliseconds on Linux): two writes of one cycle can carry the same time.
        var caches = new CacheStore(new ServerOptions { DataDirectory = _data.Path });
        var path = Path.Combine(_data.Path, "caches", "costs.json");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var tick = DateTime.UtcNow.AddSeconds(30); // one tick, still "recent" whenever the test runs
        File.WriteAllText(path, """{"dashboard":"costs","title":"Costs","position":1}""");
        File.SetLastWriteTimeUtc(path, tick);
        caches.Refresh();
        var first = caches.Overview;
        caches.Refresh();
        Assert.Same(first, caches.Overview); // read again, the same bytes: nothing changed

        File.WriteAllText(path, """{"dashboard":"costs","title":"Costs","position":2}""");
        File.SetLastWriteTimeUtc(path, tick);
        caches.Refresh();
        Assert.True(caches.TryGet("costs", out var served));
        Assert.Equal(2, served.Position);
        Assert.Equal(2, Assert.Single(caches.Overview).Position);
        Assert.Contains("\"position\":2", Encoding.UTF8.GetString(served.Frame), StringComparison.Ordinal);
    }

    [Fact]
    public void A_cache_the_projector_hands_over_is_served_from_its_bytes_without_reading_the_file()
    {
        var caches = new CacheStore(new ServerOptions { DataDirectory = _data.Path });
        var bytes = Encoding.UTF8.GetBytes("""{"dashboard":"costs","title":"Costs","position":7}""");
        var changed = caches.ChangedAsync("costs");

        caches.Accept([new("costs", bytes)]); // no file exists: the store cannot have read one

        Assert.True(changed.IsCompletedSuccessfully);
        Assert.True(caches.TryGet("costs", out var served));
        Assert.Same(bytes, served.Bytes);
        Assert.Equal(7, served.Position);
        Assert.Equal(7, Assert.Single(caches.Overview).Position);

        // The same bytes on disk later (the projector wrote them): a refresh keeps what it has.
        var path = Path.Combine(_data.Path, "caches", "costs.json");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, bytes);
        var overview = caches.Overview;
        caches.Refresh();
        Assert.Same(overview, caches.Overview);
    }
}
