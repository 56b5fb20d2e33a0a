using System.Buffers;
using System.Buffers.Text;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Pulseboard.Benchmarks.Load;

/// <summary>
/// One keep-alive HTTP/1.1 connection that sends prebuilt requests and reads each answer's status and body (by
/// Content-Length or chunked): what wrk does, so the load generator takes as little as it can of the two cores it
/// shares with the server. HttpClient spends several times more per request; the SDK scenario uses it, as agents do.
/// </summary>
internal sealed class RawHttpConnection : IDisposable
{
    private readonly Socket _socket;
    private byte[] _buffer = new byte[16 * 1024];
    private int _start;
    private int _end;
    private readonly ArrayBufferWriter<byte> _body = new(1024);

    private RawHttpConnection(Socket socket) => _socket = socket;

    public static async Task<RawHttpConnection> OpenAsync(Uri server)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(new DnsEndPoint(server.Host, server.Port)).ConfigureAwait(false);
        return new RawHttpConnection(socket);
    }

    /// <summary>A whole request: request line, Host, the given headers, Content-Length, and the body.</summary>
    public static byte[] Request(string method, Uri server, string path, string? contentType, string? token, ReadOnlySpan<byte> body, params string[] headers)
    {
        var head = new StringBuilder()
            .Append(method).Append(' ').Append(path).Append(" HTTP/1.1\r\n")
            .Append("Host: ").Append(server.Authority).Append("\r\n");
        if (contentType is not null)
        {
            head.Append("Content-Type: ").Append(contentType).Append("\r\n");
        }
        if (token is not null)
        {
            head.Append("Authorization: Bearer ").Append(token).Append("\r\n");
        }
        foreach (var header in headers)
        {
            head.Append(header).Append("\r\n");
        }
        head.Append("Content-Length: ").Append(body.Length).Append("\r\n\r\n");
        return [.. Encoding.ASCII.GetBytes(head.ToString()), .. body];
    }

    /// <summary>Sends <paramref name="request"/> and reads the answer; its body is valid until the next call.</summary>
    public async Task<(int Status, ReadOnlyMemory<byte> Body)> SendAsync(byte[] request)
    {
        await _socket.SendAsync(request, SocketFlags.None).ConfigureAwait(false);
        var head = await ReadThroughAsync("\r\n\r\n"u8.ToArray()).ConfigureAwait(false);
        var (status, length) = ParseHead(_buffer.AsSpan(head.Start, head.Length));
        if (length >= 0)
        {
            return (status, await ReadExactlyAsync(length).ConfigureAwait(false));
        }
        // Chunked: "<hex size>\r\n<bytes>\r\n" until a size of 0, then "\r\n" (no trailers here).
        _body.ResetWrittenCount();
        while (true)
        {
            var line = await ReadThroughAsync("\r\n"u8.ToArray()).ConfigureAwait(false);
            var size = int.Parse(Encoding.ASCII.GetString(_buffer, line.Start, line.Length).Split(';')[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            var chunk = await ReadExactlyAsync(size + 2).ConfigureAwait(false);
            if (size == 0)
            {
                return (status, _body.WrittenMemory);
            }
            _body.Write(chunk.Span[..size]);
        }
    }

    /// <summary>Reads until <paramref name="end"/>; returns what came before it and consumes both.</summary>
    private async Task<(int Start, int Length)> ReadThroughAsync(byte[] end)
    {
        int at;
        while ((at = _buffer.AsSpan(_start, _end - _start).IndexOf(end)) < 0)
        {
            await FillAsync().ConfigureAwait(false);
        }
        var found = (_start, at);
        _start += at + end.Length;
        return found;
    }

    /// <summary>The next <paramref name="count"/> bytes, consumed; valid until the next read.</summary>
    private async Task<ReadOnlyMemory<byte>> ReadExactlyAsync(int count)
    {
        while (_end - _start < count)
        {
            await FillAsync().ConfigureAwait(false);
        }
        var bytes = new ReadOnlyMemory<byte>(_buffer, _start, count);
        _start += count;
        return bytes;
    }

    /// <summary>The status, and the Content-Length (-1 for a chunked answer).</summary>
    private static (int Status, int Length) ParseHead(ReadOnlySpan<byte> head)
    {
        // "HTTP/1.1 202 Accepted": the status is the three digits after the first space.
        if (head.Length < 12 || !Utf8Parser.TryParse(head.Slice(9, 3), out int status, out _))
        {
            throw new IOException($"Not an HTTP answer: {Encoding.ASCII.GetString(head[..Math.Min(head.Length, 60)])}");
        }
        var length = 0;
        foreach (var line in Encoding.ASCII.GetString(head).Split("\r\n"))
        {
            if (line.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase))
            {
                length = int.Parse(line.AsSpan("Content-Length:".Length).Trim(), CultureInfo.InvariantCulture);
            }
            else if (line.StartsWith("Transfer-Encoding:", StringComparison.OrdinalIgnoreCase) && line.Contains("chunked", StringComparison.OrdinalIgnoreCase))
            {
                length = -1;
            }
        }
        return (status, length);
    }

    /// <summary>
    /// Reads more bytes: unread ones first moved to the front, the buffer doubled when that is not room enough. Bytes
    /// already handed out may be overwritten, so each caller uses what a read returned before it reads again.
    /// </summary>
    private async Task FillAsync()
    {
        if (_start > 0)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }
        if (_end == _buffer.Length)
        {
            Array.Resize(ref _buffer, _buffer.Length * 2);
        }
        var read = await _socket.ReceiveAsync(_buffer.AsMemory(_end), SocketFlags.None).ConfigureAwait(false);
        if (read == 0)
        {
            throw new IOException("The server closed the connection.");
        }
        _end += read;
    }

    public void Dispose() => _socket.Dispose();
}
