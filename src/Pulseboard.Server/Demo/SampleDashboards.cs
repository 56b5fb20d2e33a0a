namespace Pulseboard.Server.Demo;

/// <summary>The sample definitions of <c>dashboards/</c>, carried inside the program for <c>serve --demo</c>.</summary>
internal static class SampleDashboards
{
    /// <summary>Writes them to <paramref name="directory"/> when it has no definition yet; never overwrites one.</summary>
    public static void WriteIfEmpty(string directory)
    {
        if (Directory.Exists(directory) && Directory.EnumerateFiles(directory, "*.yaml").Any())
        {
            return;
        }
        Directory.CreateDirectory(directory);
        var assembly = typeof(SampleDashboards).Assembly;
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith("dashboards/", StringComparison.Ordinal)))
        {
            using var resource = assembly.GetManifestResourceStream(name)!;
            using var file = File.Create(Path.Combine(directory, name["dashboards/".Length..]));
            resource.CopyTo(file);
        }
    }
}
