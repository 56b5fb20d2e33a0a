using System.Globalization;

namespace Pulseboard.Tests.Support;

/// <summary>What Linux says about a process right now, from <c>/proc/&lt;pid&gt;</c>: what a leak would make grow.</summary>
/// <param name="RssKb">Resident memory (<c>VmRSS</c>), in KiB.</param>
/// <param name="Threads">Its threads (<c>Threads</c>).</param>
/// <param name="Fds">Its open file descriptors: files, sockets, pipes (the entries of <c>fd/</c>).</param>
internal readonly record struct ProcessStats(long RssKb, int Threads, int Fds)
{
    public double RssMb => RssKb / 1024.0;

    public static ProcessStats Read(int pid)
    {
        long rss = -1;
        var threads = -1;
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                rss = long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture); // "  123456 kB"
            }
            else if (line.StartsWith("Threads:", StringComparison.Ordinal))
            {
                threads = int.Parse(line["Threads:".Length..].Trim(), CultureInfo.InvariantCulture);
            }
        }
        return new ProcessStats(rss, threads, Directory.GetFileSystemEntries($"/proc/{pid}/fd").Length);
    }
}
