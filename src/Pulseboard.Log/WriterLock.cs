using System.Globalization;

namespace Pulseboard.Log;

/// <summary>
/// One writer process per log: an OS file lock on <c>events/writer.lock</c>, with the owner's pid in <c>events/writer.pid</c>.
/// </summary>
/// <remarks>The lock is released by the OS when the process dies, so a crash never leaves the log locked.</remarks>
internal sealed class WriterLock : IDisposable
{
    private readonly FileStream _lock;
    private readonly string _pidPath;

    private WriterLock(FileStream lockFile, string pidPath)
    {
        _lock = lockFile;
        _pidPath = pidPath;
    }

    public static WriterLock Acquire(string eventsDirectory)
    {
        var lockPath = Path.Combine(eventsDirectory, "writer.lock");
        var pidPath = Path.Combine(eventsDirectory, "writer.pid");
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
            throw new LogLockedException(
                $"The event log in {eventsDirectory} is held by {who}. One process writes a log at a time: stop it, or send events to it (pulseboard emit finds a running server).",
                owner);
        }
        File.WriteAllText(pidPath, Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        return new WriterLock(stream, pidPath);
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
