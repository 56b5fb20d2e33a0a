namespace Pulseboard.Tests.Support;

/// <summary>Programs of this repository the tests run, each from its own build folder (its dependencies resolve there, not in ours).</summary>
internal static class Built
{
    /// <summary>The crash tests' child program.</summary>
    public static string CrashChild { get; } = Find(Path.Combine("tests", "Pulseboard.Tests.Child"), "Pulseboard.Tests.Child.dll");

    /// <summary>The benchmark program, whose <c>load</c> mode is the project's load tool.</summary>
    public static string Benchmarks { get; } = Find(Path.Combine("bench", "Pulseboard.Benchmarks"), "Pulseboard.Benchmarks.dll");

    private static string Find(string project, string name)
    {
        var output = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var configuration = output.Parent!.Name; // …/bin/<configuration>/net10.0
        var dll = Path.Combine(Repo.Root, project, "bin", configuration, output.Name, name);
        return File.Exists(dll) ? dll : throw new FileNotFoundException($"{name} is not built at {dll}; build the solution first.");
    }
}
