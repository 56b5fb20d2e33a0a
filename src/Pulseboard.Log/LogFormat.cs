using System.Text;
using System.Text.Json;
using Pulseboard.Log.Storage;

namespace Pulseboard.Log;

/// <summary><c>events/format.json</c>: which on-disk format the segments are in, so a newer format is never misread.</summary>
internal static class LogFormat
{
    private const string Name = "pulseboard-events";

    public static void Ensure(ILogStorage storage, string eventsDirectory)
    {
        var path = Path.Combine(eventsDirectory, "format.json");
        // A power loss between creating the file and its fsync can leave it empty: that is a format.json never written.
        if (!File.Exists(path) || new FileInfo(path).Length == 0)
        {
            using (var file = storage.OpenAppend(path))
            {
                file.Truncate(0);
                file.Append(Encoding.UTF8.GetBytes($$"""{"format":"{{Name}}","version":{{LogLine.FormatVersion}}}""" + "\n"));
                file.FlushToDisk();
            }
            storage.SyncDirectory(eventsDirectory);
            return;
        }
        int version;
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(path));
            var root = document.RootElement;
            if (root.GetProperty("format").GetString() != Name)
            {
                throw new LogCorruptException($"{path} does not describe a Pulseboard event log; is --data pointing at the right folder?");
            }
            version = root.GetProperty("version").GetInt32();
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new LogCorruptException($"{path} is unreadable ({ex.Message}); it should read {{\"format\":\"{Name}\",\"version\":{LogLine.FormatVersion}}}.");
        }
        if (version != LogLine.FormatVersion)
        {
            throw new LogCorruptException($"The event log in {eventsDirectory} is format version {version}; this Pulseboard reads version {LogLine.FormatVersion}. Use the Pulseboard that wrote it.");
        }
    }
}
