namespace Pulseboard.Benchmarks.Throughput;

/// <summary>A fresh data folder for one scenario, deleted with everything in it on dispose.</summary>
internal sealed class TempDataFolder : IDisposable
{
    private TempDataFolder(string path) => Path = path;

    public string Path { get; }

    public static TempDataFolder Create(string root, string scenario)
    {
        var path = System.IO.Path.Combine(root, $"pulseboard-bench-{scenario}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(path);
        return new TempDataFolder(path);
    }

    /// <summary>Bytes held by the files under the folder.</summary>
    public long Bytes() => new DirectoryInfo(Path).EnumerateFiles("*", SearchOption.AllDirectories).Sum(f => f.Length);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException ex)
        {
            Console.Error.WriteLine($"could not delete {Path}: {ex.Message}");
        }
    }
}
