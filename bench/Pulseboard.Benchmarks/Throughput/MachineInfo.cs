using System.Runtime;
using System.Runtime.InteropServices;

namespace Pulseboard.Benchmarks.Throughput;

/// <summary>What the figures were measured on, printed above the table and stored with the JSON.</summary>
internal static class MachineInfo
{
    public static List<KeyValuePair<string, string>> Describe(string tempRoot) =>
    [
        new("processors", Environment.ProcessorCount.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        new("cpu", CpuModel()),
        new("os", RuntimeInformation.OSDescription),
        new("runtime", $"{RuntimeInformation.FrameworkDescription} {RuntimeInformation.RuntimeIdentifier}"),
        new("architecture", RuntimeInformation.ProcessArchitecture.ToString()),
        new("gc", $"{(GCSettings.IsServerGC ? "server" : "workstation")}, {GCSettings.LatencyMode}"),
        new("temp", $"{tempRoot} ({FileSystemOf(tempRoot)})"),
    ];

    private static string CpuModel()
    {
        try
        {
            var line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
            return line is null ? "unknown" : line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim();
        }
        catch (IOException)
        {
            return "unknown";
        }
    }

    /// <summary>The file system that holds <paramref name="path"/>: fsync on tmpfs costs nothing, so say which it is.</summary>
    private static string FileSystemOf(string path)
    {
        try
        {
            var full = Path.GetFullPath(path);
            var best = (Mount: "", Type: "unknown");
            foreach (var line in File.ReadLines("/proc/mounts"))
            {
                var fields = line.Split(' ');
                if (fields.Length > 2 && IsUnder(full, fields[1]) && fields[1].Length >= best.Mount.Length)
                {
                    best = (fields[1], fields[2]);
                }
            }
            return best.Type;
        }
        catch (IOException)
        {
            return "unknown";
        }
    }

    private static bool IsUnder(string path, string mount) =>
        mount == "/" || path == mount || path.StartsWith(mount.TrimEnd('/') + "/", StringComparison.Ordinal);
}
