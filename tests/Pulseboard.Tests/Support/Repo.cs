namespace Pulseboard.Tests.Support;

internal static class Repo
{
    /// <summary>The repository's root: the folder holding Pulseboard.slnx, above the test's output folder.</summary>
    public static string Root { get; } = Find();

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Pulseboard.slnx")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("Pulseboard.slnx not found above " + AppContext.BaseDirectory);
    }
}
