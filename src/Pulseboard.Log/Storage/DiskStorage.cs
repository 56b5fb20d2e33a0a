using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Pulseboard.Log.Storage;

/// <summary>The real disk: positional writes, <c>fsync</c> for files and directories.</summary>
internal sealed partial class DiskStorage : ILogStorage
{
    /// <summary>The one instance.</summary>
    public static DiskStorage Instance { get; } = new();

    private DiskStorage()
    {
    }

    /// <inheritdoc/>
    public IReadOnlyList<string> List(string directory, string extension) =>
        Directory.Exists(directory) ? Directory.GetFiles(directory, "*" + extension) : [];

    /// <inheritdoc/>
    public ILogFile OpenAppend(string path) => new DiskFile(path);

    /// <inheritdoc/>
    public Stream OpenRead(string path) =>
        new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, bufferSize: 1, FileOptions.SequentialScan);

    /// <inheritdoc/>
    public void Delete(string path) => File.Delete(path);

    /// <inheritdoc/>
    public void SyncDirectory(string directory)
    {
        // .NET has no call to fsync a directory, and a created or renamed file is durable only once its directory is.
        const int ReadOnlyDirectory = 0x10000; // O_RDONLY | O_DIRECTORY on Linux
        var fd = Open(directory, ReadOnlyDirectory);
        if (fd < 0)
        {
            throw new IOException($"Could not open {directory} to fsync it: {Marshal.GetLastPInvokeErrorMessage()}");
        }
        try
        {
            if (Fsync(fd) != 0)
            {
                throw new IOException($"fsync of directory {directory} failed: {Marshal.GetLastPInvokeErrorMessage()}");
            }
        }
        finally
        {
            _ = Close(fd);
        }
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(int fd);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);

    private sealed class DiskFile : ILogFile
    {
        private readonly SafeFileHandle _handle;

        public DiskFile(string path)
        {
            _handle = File.OpenHandle(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
            Length = RandomAccess.GetLength(_handle);
        }

        public long Length { get; private set; }

        public void Append(ReadOnlySpan<byte> bytes)
        {
            RandomAccess.Write(_handle, bytes, Length);
            Length += bytes.Length;
        }

        public void FlushToDisk() => RandomAccess.FlushToDisk(_handle);

        public void Truncate(long length)
        {
            RandomAccess.SetLength(_handle, length);
            Length = length;
        }

        public void Dispose() => _handle.Dispose();
    }
}
