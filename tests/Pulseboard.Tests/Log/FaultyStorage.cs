using Pulseboard.Log.Storage;

namespace Pulseboard.Tests.Log;

/// <summary>
/// The real disk, with faults a test switches on: a failing write (after writing part of the bytes, as a full disk
/// does), a failing fsync, a disk out of space. FASTER's SimulatedFlakyDevice in spirit.
/// </summary>
internal sealed class FaultyStorage : ILogStorage
{
    public bool FailWrites { get; set; }

    public bool FailFsync { get; set; }

    public int Fsyncs { get; private set; }

    /// <summary>When set, an fsync signals <see cref="FsyncEntered"/> and waits for this before going on.</summary>
    public ManualResetEventSlim? HoldFsync { get; set; }

    public ManualResetEventSlim FsyncEntered { get; } = new();

    /// <summary>What reached the disk, in order: <c>open PATH</c>, <c>fsync PATH</c> (a file), <c>dir PATH</c> (a folder's entries).</summary>
    public List<string> Operations
    {
        get
        {
            lock (_operations)
            {
                return [.. _operations];
            }
        }
    }

    private readonly List<string> _operations = [];

    private void Record(string operation)
    {
        lock (_operations)
        {
            _operations.Add(operation);
        }
    }

    public IReadOnlyList<string> List(string directory, string extension) => DiskStorage.Instance.List(directory, extension);

    public ILogFile OpenAppend(string path)
    {
        Record("open " + path);
        return new File(this, DiskStorage.Instance.OpenAppend(path), path);
    }

    public Stream OpenRead(string path) => DiskStorage.Instance.OpenRead(path);

    public void Delete(string path) => DiskStorage.Instance.Delete(path);

    public void SyncDirectory(string directory)
    {
        Record("dir " + directory);
        DiskStorage.Instance.SyncDirectory(directory);
    }

    private sealed class File(FaultyStorage owner, ILogFile inner, string path) : ILogFile
    {
        public long Length => inner.Length;

        public void Append(ReadOnlySpan<byte> bytes)
        {
            if (owner.FailWrites)
            {
                inner.Append(bytes[..(bytes.Length / 2)]); // a partial write reached the file before the error
                throw new IOException("No space left on device");
            }
            inner.Append(bytes);
        }

        public void FlushToDisk()
        {
            owner.Fsyncs++;
            if (owner.HoldFsync is { } hold)
            {
                owner.FsyncEntered.Set();
                hold.Wait(TimeSpan.FromSeconds(30));
            }
            if (owner.FailFsync)
            {
                throw new IOException("Input/output error");
            }
            inner.FlushToDisk();
            owner.Record("fsync " + path);
        }

        public void Truncate(long length) => inner.Truncate(length);

        public void Dispose() => inner.Dispose();
    }
}
