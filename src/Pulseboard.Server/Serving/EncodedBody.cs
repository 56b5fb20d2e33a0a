using System.IO.Compression;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Http;

namespace Pulseboard.Server.Serving;

/// <summary>
/// One response body encoded once, when it is made: as is, Brotli and gzip, each with its own strong ETag (a validator
/// names one representation). A request then only picks one by its <c>Accept-Encoding</c>: no compression per request.
/// </summary>
/// <remarks>Immutable; shared by every request.</remarks>
internal sealed class EncodedBody
{
    private readonly byte[]? _brotli;
    private readonly byte[]? _gzip;
    private readonly string _hash;

    private EncodedBody(byte[] identity, byte[]? brotli, byte[]? gzip, string hash)
    {
        Identity = identity;
        _brotli = brotli;
        _gzip = gzip;
        _hash = hash;
    }

    /// <summary>The bytes as they are.</summary>
    public byte[] Identity { get; }

    /// <summary>A hash of <see cref="Identity"/>: 16 hex digits.</summary>
    public string Hash => _hash;

    /// <summary>
    /// Encodes <paramref name="bytes"/>. <paramref name="level"/>: <see cref="CompressionLevel.SmallestSize"/> for what
    /// is made once at start (assets), <see cref="CompressionLevel.Optimal"/> (Brotli quality 4) for what is made per
    /// cache change (pages). An encoding that does not make the body smaller is not kept.
    /// </summary>
    public static EncodedBody Create(byte[] bytes, CompressionLevel level)
    {
        var hash = Convert.ToHexStringLower(SHA256.HashData(bytes))[..16];
        return new EncodedBody(bytes, Smaller(bytes, Compress(bytes, s => new BrotliStream(s, level, leaveOpen: true))),
            Smaller(bytes, Compress(bytes, s => new GZipStream(s, level, leaveOpen: true))), hash);
    }

    /// <summary>The representation for <paramref name="request"/>: Brotli, else gzip, else as is.</summary>
    public (byte[] Bytes, string? Encoding, string ETag) Select(HttpRequest request)
    {
        if (_brotli is null && _gzip is null)
        {
            return (Identity, null, $"\"{_hash}\"");
        }
        var accepted = request.GetTypedHeaders().AcceptEncoding;
        if (_brotli is not null && Accepts(accepted, "br"))
        {
            return (_brotli, "br", $"\"{_hash}-br\"");
        }
        if (_gzip is not null && Accepts(accepted, "gzip"))
        {
            return (_gzip, "gzip", $"\"{_hash}-gz\"");
        }
        return (Identity, null, $"\"{_hash}\"");
    }

    private static bool Accepts(IList<Microsoft.Net.Http.Headers.StringWithQualityHeaderValue> accepted, string coding)
    {
        foreach (var value in accepted)
        {
            if ((value.Value.Equals(coding, StringComparison.OrdinalIgnoreCase) || value.Value.Equals("*", StringComparison.Ordinal))
                && (value.Quality ?? 1) > 0)
            {
                return true;
            }
        }
        return false;
    }

    private static byte[] Compress(byte[] bytes, Func<Stream, Stream> open)
    {
        using var output = new MemoryStream(bytes.Length / 2 + 64);
        using (var compressor = open(output))
        {
            compressor.Write(bytes);
        }
        return output.ToArray();
    }

    private static byte[]? Smaller(byte[] identity, byte[] encoded) => encoded.Length < identity.Length ? encoded : null;
}
