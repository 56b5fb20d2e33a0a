namespace Pulseboard.Tests.Support;

internal static class CacheFolder
{
    /// <summary>Every dashboard cache in <c>&lt;data&gt;/caches</c> by file name (the checkpoint left out).</summary>
    public static Dictionary<string, string> Read(string data) =>
        Directory.GetFiles(Path.Combine(data, "caches"), "*.json")
            .Where(p => !Path.GetFileName(p).StartsWith('_'))
            .ToDictionary(p => Path.GetFileName(p), File.ReadAllText);
}
