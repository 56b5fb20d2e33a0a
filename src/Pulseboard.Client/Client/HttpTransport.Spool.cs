using System.Net;

namespace Pulseboard.Client;

/// <summary>The disk spool and the "down until" state: where batches wait while the server cannot take them.</summary>
public sealed partial class HttpTransport
{
    /// <summary>At most this much of the spool goes in one request, cut at a line end (the server's body limit is 8 MiB).</summary>
    private const int SpoolChunkBytes = 4 * 1024 * 1024;
    private readonly string? _spool;
    private long _spoolLength; // the file's length; written by the writer only
    private long _spoolSent; // where the first event not yet sent starts: a drain cut short resumes there
    private long _spooledBytes; // _spoolLength - _spoolSent, for readers on other threads
    private long _spoolBytesRead;
    private long _downSince;
    private TimeSpan _downFor; // zero while the server answers

    /// <summary>Bytes waiting in the spool.</summary>
    public long SpooledBytes => Volatile.Read(ref _spooledBytes);

    /// <summary>Bytes read back from the spool so far: a seam for tests, which show that a batch never re-reads it.</summary>
    internal long SpoolBytesRead => Interlocked.Read(ref _spoolBytesRead);

    /// <inheritdoc/>
    TimeProvider ISpoolingTransport.TimeProvider => _options.TimeProvider;

    /// <inheritdoc/>
    TimeSpan? ISpoolingTransport.SpoolDueIn => SpooledBytes == 0 ? null : DownFor();

    /// <summary>True while the backoff after a failed delivery runs.</summary>
    private bool IsDown => DownFor() > TimeSpan.Zero;

    private TimeSpan DownFor()
    {
        var left = _downFor - _options.TimeProvider.GetElapsedTime(_downSince);
        return left > TimeSpan.Zero ? left : TimeSpan.Zero;
    }

    private void MarkDown()
    {
        var first = _options.FirstBackoff > TimeSpan.Zero ? _options.FirstBackoff : TimeSpan.FromMilliseconds(1);
        _downFor = _downFor == TimeSpan.Zero ? first : TimeSpan.FromTicks(Math.Min(_downFor.Ticks * 2, s_maxBackoff.Ticks));
        _downSince = _options.TimeProvider.GetTimestamp();
    }

    private void MarkUp() => _downFor = TimeSpan.Zero;

    /// <summary>
    /// Sends what waits in the spool, oldest first, now (whatever the backoff); false when the server is still
    /// unreachable (the rest stays).
    /// </summary>
    /// <remarks>
    /// A <see cref="PulseboardClient"/> drains the spool itself and tells its listener of spooled events the server
    /// refuses; this call, for a transport used alone, sends without telling anyone.
    /// </remarks>
    public Task<bool> SendSpoolAsync(CancellationToken cancellationToken = default) =>
        DrainSpoolAsync(NoListener.Instance, cancellationToken);

    /// <inheritdoc/>
    Task<bool> ISpoolingTransport.DrainSpoolAsync(ISpoolListener listener, CancellationToken cancellationToken) =>
        DrainSpoolAsync(listener, cancellationToken);

    private async Task<bool> DrainSpoolAsync(ISpoolListener listener, CancellationToken cancellationToken)
    {
        if (_spool is null || SpooledBytes == 0)
        {
            return true;
        }
        // After a failure, one attempt tells whether the server is back; the retry cycle is for a server that answers.
        var attempts = _downFor > TimeSpan.Zero ? 1 : _options.MaxAttempts;
        try
        {
            while (SpooledBytes > 0)
            {
                var (chunk, lines) = ReadChunk(_spool);
                try
                {
                    var outcomes = await PostAsync(chunk, lines, flushToDisk: false, attempts, cancellationToken).ConfigureAwait(false);
                    foreach (var outcome in outcomes)
                    {
                        if (outcome.Error is { } error)
                        {
                            listener.Rejected(error);
                        }
                    }
                }
                catch (Exception ex) when (ex is HttpTransportException or HttpRequestException { StatusCode: >= HttpStatusCode.BadRequest and < HttpStatusCode.InternalServerError })
                {
                    listener.Refused(ex, lines); // refused for good, as a live batch would be: sending it again cannot help
                }
                MarkUp();
                attempts = _options.MaxAttempts;
                Sent(chunk.Length);
            }
            File.Delete(_spool);
            SetSpool(length: 0, sent: 0);
            return true;
        }
        catch (Exception ex) when (IsUnreachable(ex))
        {
            Away();
            return false; // what was sent stays sent; the rest goes next time, in order
        }
        catch
        {
            Away(); // an unreadable spool or a strange answer: back off rather than spin; the client reports it
            throw;
        }
    }

    private void Away()
    {
        MarkDown();
        if (_spoolSent > 0)
        {
            try
            {
                Compact();
            }
            catch (IOException)
            {
                // The sent part stays in the file and goes again next time: the ids make that harmless.
            }
        }
    }

    /// <summary>The next chunk of unsent events: whole lines, up to <see cref="SpoolChunkBytes"/> unless one line is longer.</summary>
    private (byte[] Chunk, int Lines) ReadChunk(string path)
    {
        using var file = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        var unsent = _spoolLength - _spoolSent;
        for (var size = (int)Math.Min(unsent, SpoolChunkBytes); ; size = (int)Math.Min(unsent, (long)size * 2))
        {
            var buffer = new byte[size];
            for (var read = 0; read < size;)
            {
                var n = RandomAccess.Read(file, buffer.AsSpan(read), _spoolSent + read);
                if (n == 0)
                {
                    throw new IOException($"The spool {path} is shorter than this process wrote ({_spoolSent + read} of {_spoolLength} bytes).");
                }
                read += n;
            }
            Interlocked.Add(ref _spoolBytesRead, size);
            var end = size == unsent ? size : Array.LastIndexOf(buffer, (byte)'\n') + 1;
            if (end > 0)
            {
                var chunk = end == size ? buffer : buffer[..end];
                var lines = chunk.Count(b => b == (byte)'\n') + (chunk[^1] == (byte)'\n' ? 0 : 1); // a torn last line goes too
                return (chunk, lines);
            }
        }
    }

    private void Sent(long bytes) => SetSpool(_spoolLength, _spoolSent + bytes);

    private void SetSpool(long length, long sent)
    {
        _spoolLength = length;
        _spoolSent = sent;
        Volatile.Write(ref _spooledBytes, length - sent);
    }

    /// <summary>Drops the part of the spool already sent, so a drain cut short does not leave it to grow the file.</summary>
    private void Compact()
    {
        var path = _spool!;
        var temporary = path + ".tmp";
        using (var source = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read))
        using (var target = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            source.Position = _spoolSent;
            source.CopyTo(target);
            target.Flush(flushToDisk: true);
        }
        Interlocked.Add(ref _spoolBytesRead, _spoolLength - _spoolSent);
        File.Move(temporary, path, overwrite: true);
        SetSpool(_spoolLength - _spoolSent, 0);
    }

    private AppendOutcome[] Spool(byte[] body, int count)
    {
        var path = _spool ?? throw new InvalidOperationException("Spool called without a spool folder.");
        if (SpooledBytes + body.Length > _options.SpoolMaxBytes)
        {
            var full = new EventError("", $"event: the server at {_options.Server} is unreachable and the spool is full ({_options.SpoolMaxBytes} bytes); it was dropped");
            return Enumerable.Repeat(AppendOutcome.Rejected(full), count).ToArray();
        }
        try
        {
            using var file = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.None);
            file.Write(body);
            file.Flush(flushToDisk: true); // the point of the spool is to survive the agent
        }
        catch (IOException)
        {
            SetSpool(File.Exists(path) ? new FileInfo(path).Length : 0, _spoolSent); // whatever part of it was written
            throw;
        }
        SetSpool(_spoolLength + body.Length, _spoolSent);
        return Enumerable.Repeat(AppendOutcome.InSpool, count).ToArray();
    }

    private sealed class NoListener : ISpoolListener
    {
        public static NoListener Instance { get; } = new();

        public void Rejected(EventError error)
        {
        }

        public void Refused(Exception error, int count)
        {
        }
    }
}
