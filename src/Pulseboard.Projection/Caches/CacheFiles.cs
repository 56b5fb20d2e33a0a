namespace Pulseboard.Projection.Caches;

/// <summary>
/// The cache folder, <c>&lt;data&gt;/caches/</c>: <c>&lt;id&gt;.json</c> per dashboard, written atomically, and the
/// projector's checkpoint <c>_projector.json</c> (no slug starts with an underscore).
/// </summary>
internal static class CacheFiles
{
    /// <summary>The folder for a data folder.</summary>
    public static string Directory(string dataDirectory) => Path.Combine(Path.GetFullPath(dataDirectory), "caches");

    /// <summary>The cache of dashboard <paramref name="id"/>; the id is checked against the slug rule first, so no path can leave the folder.</summary>
    /// <exception cref="ArgumentException">The id is not a slug.</exception>
    public static string PathOf(string cacheDirectory, string id)
    {
        if (!EventRules.IsSlug(id))
        {
            throw new ArgumentException($"\"{id}\" is not a dashboard id ({EventRules.SlugPattern}).", nameof(id));
        }
        return Path.Combine(cacheDirectory, id + ".json");
    }

    /// <summary>The ids of the caches present.</summary>
    public static IEnumerable<string> Ids(string cacheDirectory) =>
        System.IO.Directory.Exists(cacheDirectory)
            ? System.IO.Directory.GetFiles(cacheDirectory, "*.json").Select(p => Path.GetFileNameWithoutExtension(p)).Where(id => EventRules.IsSlug(id)).Order(StringComparer.Ordinal)
            : [];
}
