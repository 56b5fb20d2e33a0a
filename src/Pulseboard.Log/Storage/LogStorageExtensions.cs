namespace Pulseboard.Log.Storage;

/// <summary>Durable folder creation on top of <see cref="ILogStorage"/>.</summary>
internal static class LogStorageExtensions
{
    /// <summary>
    /// Creates <paramref name="directory"/> and its missing parents, and syncs the folder holding each one created, so
    /// that the new folder is still there after a power loss (a folder's name lives in its parent, like a file's).
    /// </summary>
    public static void CreateDirectoryDurably(this ILogStorage storage, string directory)
    {
        ArgumentNullException.ThrowIfNull(storage);
        var full = Path.GetFullPath(directory);
        if (Directory.Exists(full))
        {
            return;
        }
        var parent = Path.GetDirectoryName(full);
        if (parent is not null)
        {
            storage.CreateDirectoryDurably(parent);
        }
        Directory.CreateDirectory(full);
        if (parent is not null)
        {
            storage.SyncDirectory(parent);
        }
    }
}
