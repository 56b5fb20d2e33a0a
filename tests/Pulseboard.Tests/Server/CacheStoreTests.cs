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
}
