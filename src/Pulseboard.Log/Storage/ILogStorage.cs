namespace Pulseboard.Log.Storage;

/// <summary>
/// The narrow file access the log uses, so tests can inject the faults they cannot cause for real (a failing disk).
/// </summary>
internal interface ILogStorage
{
    /// <summary>The files in <paramref name="directory"/> whose names end with <paramref name="extension"/>, full paths.</summary>
    IReadOnlyList<string> List(string directory, string extension);

    /// <summary>Opens (creating when missing) a file to append to.</summary>
    ILogFile OpenAppend(string path);

    /// <summary>Opens a file to read while a writer may still append to it.</summary>
    Stream OpenRead(string path);

    /// <summary>Deletes a file.</summary>
    void Delete(string path);

    /// <summary>Makes the directory's entries (a created, renamed or deleted file) durable: an fsync of the directory.</summary>
    void SyncDirectory(string directory);
}

/// <summary>One file being appended to.</summary>
internal interface ILogFile : IDisposable
{
    /// <summary>The file's length, as this writer knows it.</summary>
    long Length { get; }

    /// <summary>Writes at the end; the bytes reach the page cache, so they survive a crash of the process.</summary>
    void Append(ReadOnlySpan<byte> bytes);

    /// <summary>Forces what was written to the device (fsync). A failure is final: see <see cref="LogWriteException.Faulted"/>.</summary>
    void FlushToDisk();

    /// <summary>Cuts the file back to <paramref name="length"/> bytes.</summary>
    void Truncate(long length);
}
