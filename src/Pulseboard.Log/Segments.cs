using System.Globalization;

namespace Pulseboard.Log;

/// <summary>Segment files: <c>&lt;data&gt;/events/&lt;first seq, 20 digits&gt;.jsonl</c>.</summary>
internal static class Segments
{
    public const string Extension = ".jsonl";

    public static string EventsDirectory(string dataDirectory) => Path.Combine(Path.GetFullPath(dataDirectory), "events");

    public static string PathOf(string eventsDirectory, long firstSeq) =>
        Path.Combine(eventsDirectory, firstSeq.ToString("D20", CultureInfo.InvariantCulture) + Extension);

    /// <summary>The segments in <paramref name="paths"/>, by first seq; files not named like one are ignored.</summary>
    public static List<(long First, string Path)> Sort(IEnumerable<string> paths)
    {
        var list = new List<(long, string)>();
        foreach (var path in paths)
        {
            var name = System.IO.Path.GetFileNameWithoutExtension(path);
            if (name.Length == 20 && long.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out var first) && first > 0)
            {
                list.Add((first, path));
            }
        }
        list.Sort((a, b) => a.Item1.CompareTo(b.Item1));
        return list;
    }
}
