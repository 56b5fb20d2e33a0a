using System.Text.Json;
using Microsoft.Extensions.Logging;
using Pulseboard.Log.Storage;
using Pulseboard.Projection.Definitions;

namespace Pulseboard.Server.Alerts;

/// <summary>
/// One silence: alert instances it matches are still evaluated and shown (marked silenced), but not notified. Every
/// matcher given must match (a glob, <c>*</c> and <c>?</c>); an absent one matches anything.
/// </summary>
/// <param name="Id">Its id, given by the server.</param>
/// <param name="Alert">A glob over the alert's name; null for any.</param>
/// <param name="Dashboard">A glob over the dashboard; null for any.</param>
/// <param name="Labels">Globs over label values, e.g. <c>source: llama-*</c>; empty for any.</param>
/// <param name="StartsAt">When it was made.</param>
/// <param name="EndsAt">When it stops silencing.</param>
/// <param name="Comment">Why, for the people reading the list; optional.</param>
internal sealed record Silence(string Id, string? Alert, string? Dashboard, Dictionary<string, string> Labels, DateTimeOffset StartsAt, DateTimeOffset EndsAt, string? Comment)
{
    /// <summary>Whether the silence covers the instance at <paramref name="now"/>.</summary>
    public bool Matches(string dashboard, string alert, IReadOnlyDictionary<string, string> labels, DateTimeOffset now) =>
        now < EndsAt
        && (Alert is null || new Glob(Alert).IsMatch(alert))
        && (Dashboard is null || new Glob(Dashboard).IsMatch(dashboard))
        && Labels.All(l => labels.TryGetValue(l.Key, out var value) && new Glob(l.Value).IsMatch(value));
}

/// <summary>
/// The silences, persisted in <c>&lt;data&gt;/alerts/silences.json</c> (atomically and fsynced, so an acknowledged
/// silence survives a crash). Thread-safe; expired silences are dropped when the list is next written.
/// </summary>
internal sealed class SilenceStore
{
    private readonly Lock _lock = new();
    private readonly string _path;
    private readonly TimeProvider _time;
    private List<Silence> _silences;

    public SilenceStore(ServerOptions options, ILogger<SilenceStore> logger)
    {
        _time = options.TimeProvider;
        var folder = AlertFiles.Folder(options.DataDirectory);
        _path = Path.Combine(folder, "silences.json");
        _silences = Load(_path, logger);
    }

    /// <summary>The silences not yet ended, oldest first.</summary>
    public IReadOnlyList<Silence> Active
    {
        get
        {
            var now = _time.GetUtcNow();
            lock (_lock)
            {
                return [.. _silences.Where(s => s.EndsAt > now)];
            }
        }
    }

    /// <summary>Adds a silence and returns once it is on disk.</summary>
    public Silence AddDurably(Silence silence)
    {
        lock (_lock)
        {
            var now = _time.GetUtcNow();
            var next = _silences.Where(s => s.EndsAt > now).Append(silence).ToList();
            Save(next);
            _silences = next;
            return silence;
        }
    }

    /// <summary>Removes a silence; false when there is none with that id (or it ended).</summary>
    public bool RemoveDurably(string id)
    {
        lock (_lock)
        {
            var now = _time.GetUtcNow();
            if (!_silences.Exists(s => s.Id == id && s.EndsAt > now))
            {
                return false;
            }
            var next = _silences.Where(s => s.Id != id && s.EndsAt > now).ToList();
            Save(next);
            _silences = next;
            return true;
        }
    }

    private void Save(List<Silence> silences)
    {
        AlertFiles.WriteDurably(_path, JsonSerializer.SerializeToUtf8Bytes(silences, AlertJsonContext.Default.ListSilence));
    }

    /// <summary>The saved silences; a damaged file is kept aside under a new name (nothing is lost) and logged.</summary>
    private static List<Silence> Load(string path, ILogger logger)
    {
        try
        {
            return JsonSerializer.Deserialize(File.ReadAllBytes(path), AlertJsonContext.Default.ListSilence) ?? [];
        }
        catch (JsonException ex)
        {
            var aside = $"{path}.damaged-{DateTime.UtcNow:yyyyMMddTHHmmssZ}";
            File.Move(path, aside, overwrite: true);
            logger.SilencesUnreadable(ex, path, aside);
            return [];
        }
        catch (FileNotFoundException)
        {
            return [];
        }
        catch (DirectoryNotFoundException)
        {
            return [];
        }
    }
}

/// <summary>Where the alerts' files live, and how they are written.</summary>
internal static class AlertFiles
{
    /// <summary><c>&lt;data&gt;/alerts/</c>, created when missing.</summary>
    public static string Folder(string dataDirectory)
    {
        var folder = Path.Combine(Path.GetFullPath(dataDirectory), "alerts");
        DiskStorage.Instance.CreateDirectoryDurably(folder);
        return folder;
    }

    /// <summary>Replaces the file atomically and durably: fsynced, renamed, the folder synced.</summary>
    public static void WriteDurably(string path, ReadOnlySpan<byte> bytes)
    {
        AtomicFile.Write(path, bytes, fsync: true);
        DiskStorage.Instance.SyncDirectory(Path.GetDirectoryName(path)!);
    }
}
