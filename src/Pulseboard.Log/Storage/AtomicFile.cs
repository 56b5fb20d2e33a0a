namespace Pulseboard.Log.Storage;

/// <summary>
/// Whole-file replacement: the one way Pulseboard rewrites a file it owns (caches, the projector's checkpoint, the
/// static export, Grafana dashboards). It lives with the disk seam, below everything that writes files.
/// </summary>
internal static class AtomicFile
{
    /// <summary>
    /// Replaces <paramref name="path"/> with <paramref name="bytes"/> atomically: a temp file beside it, flushed
    /// (and fsynced when <paramref name="fsync"/>), then renamed over it. A reader sees the old file or the new one,
    /// never a part. The rename is made durable by syncing the folder (<see cref="ILogStorage.SyncDirectory"/>) where
    /// the caller needs it.
    /// </summary>
    public static void Write(string path, ReadOnlySpan<byte> bytes, bool fsync)
    {
        var temp = path + ".tmp";
        using (var file = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 1))
        {
            file.Write(bytes);
            file.Flush(flushToDisk: fsync);
        }
        File.Move(temp, path, overwrite: true);
    }
}
