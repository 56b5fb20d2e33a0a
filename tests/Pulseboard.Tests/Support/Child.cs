namespace Pulseboard.Tests.Support;

/// <summary>The crash tests' child program, run from its own build folder (its dependencies resolve there, not in ours).</summary>
internal static class Child
{
    public static string Dll { get; } = Find();

    private static string Find()
    {
        var output = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var configuration = output.Parent!.Name; // …/bin/<configuration>/net10.0
        var dll = Path.Combine(Repo.Root, "tests", "Pulseboard.Tests.Child", "bin", configuration, output.Name, "Pulseboard.Tests.Child.dll");
        return File.Exists(dll) ? dll : throw new FileNotFoundException($"The crash-test child is not built at {dll}; build the solution first.");
    }
}
