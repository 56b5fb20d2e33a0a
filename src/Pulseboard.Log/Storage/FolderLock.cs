using System.Globalization;

namespace Pulseboard.Log.Storage;

/// <summary>
/// One process at a time in a folder's role: an OS file lock on <c>&lt;name&gt;.lock</c>, with the owner's pid in
/// <c>&lt;name&gt;.pid</c>. The log's writer holds <c>events/writer.lock</c>; a projector holds <c>caches/projector.lock</c>.
/// </summary>
/// <remarks>The lock is released by the OS when the process dies, so a crash never leaves a folder locked.</remarks>
internal sealed class FolderLock : IDisposable
{
    private readonly FileStream _lock;
    private readonly string _pidPath;

    private FolderLock(FileStream lockFile, string pidPath)
    {
        _lock = lockFile;
        _pidPath = pidPath;
    }

    /// <summary>Takes the lock, or throws naming the process that holds it.</summary>
    /// <param name="directory">The folder.</param>
    /// <param name="name">The lock's name: <c>writer</c>, <c>projector</c>.</param>
    /// <param name="what">What the holder does, for the message: "The event log in …".</param>
    /// <param name="advice">What to do instead, for the message.</param>
    /// <exception cref="LogLockedException">Another process holds it.</exception>
    public static FolderLock Acquire(string directory, string name, string what, string advice)
    {
        var lockPath = Path.Combine(directory, name + ".lock");
        var pidPath = Path.Combine(directory, name + ".pid");
        FileStream stream;
        try
        {
            // FileShare.None takes an exclusive flock on Unix: a second process fails here.
            stream = new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException) when (File.Exists(lockPath))
        {
            var owner = ReadOwner(pidPath);
            var who = owner is { } pid ? $"process {pid}{Describe(pid)}" : "another process";
            throw new LogLockedException($"{what} is held by {who}. {advice}", owner);
        }
        File.WriteAllText(pidPath, Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        return new FolderLock(stream, pidPath);
    }

    private static int? ReadOwner(string pidPath)
    {
        try
        {
            return int.TryParse(File.ReadAllText(pidPath).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) ? pid : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static string Describe(int pid)
    {
        try
        {
            var cmdline = File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ').Trim();
            return cmdline.Length == 0 ? "" : $" ({(cmdline.Length > 120 ? cmdline[..120] + "…" : cmdline)})";
        }
        catch (IOException)
        {
            return "";
        }
        catch (UnauthorizedAccessException)
        {
            return "";
        }
    }

    /// <summary>Releases the lock.</summary>
    public void Dispose()
    {
        try
        {
            File.Delete(_pidPath);
        }
        catch (IOException)
        {
            // The lock still goes; a stale pid file only improves a later error message.
        }
        _lock.Dispose();
    }
}
