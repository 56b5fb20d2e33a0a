using System.Collections.Concurrent;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;

namespace Pulseboard.Server.Serving;

/// <summary>One of the renderer's files as served: encoded once, or null when the renderer is not built.</summary>
/// <param name="Name">Its path under <c>/assets/</c>.</param>
/// <param name="Type">Its content type.</param>
/// <param name="Body">Its bytes in every encoding; null when the file is missing.</param>
/// <param name="Path">Where it was read from, for the message when it is missing.</param>
internal sealed record Asset(string Name, string Type, EncodedBody? Body, string Path);

/// <summary>
/// The renderer's files, read and compressed once when the server starts, under one content hash: <c>/assets/&lt;hash&gt;/…</c>
/// may be cached for ever, because a changed file makes a new hash and the pages name the new one.
/// </summary>
/// <remarks>
/// The pages' <c>/assets/</c> references are rewritten to the hashed prefix here; relative module imports and
/// <c>new URL("./uplot/…", import.meta.url)</c> then stay inside it by themselves. Immutable once made.
/// </remarks>
internal sealed class RendererAssets
{
    // Brotli at its smallest costs tens of milliseconds for the chart library: a process that starts several servers
    // on the same files (the tests) compresses each version once.
    private static readonly ConcurrentDictionary<string, EncodedBody> s_encoded = new(StringComparer.Ordinal);

    private RendererAssets(string hash, IReadOnlyDictionary<string, Asset> files, string? index, string? dashboard, string directory)
    {
        Hash = hash;
        Files = files;
        IndexHtml = index;
        DashboardHtml = dashboard;
        Directory = directory;
    }

    /// <summary>One hash over every asset's name and bytes: 16 hex digits.</summary>
    public string Hash { get; }

    /// <summary>Where the hashed assets are: <c>/assets/&lt;hash&gt;/</c>.</summary>
    public string Prefix => $"/assets/{Hash}/";

    /// <summary>The assets by name.</summary>
    public IReadOnlyDictionary<string, Asset> Files { get; }

    /// <summary><c>index.html</c> with hashed asset URLs; null when missing.</summary>
    public string? IndexHtml { get; }

    /// <summary><c>dashboard.html</c> with hashed asset URLs, before any cache is put in; null when missing.</summary>
    public string? DashboardHtml { get; }

    /// <summary>The renderer's folder.</summary>
    public string Directory { get; }

    /// <summary>Reads the renderer's files from <paramref name="directory"/>. Missing files are kept as missing: asked for, they answer 503.</summary>
    public static RendererAssets Load(string directory)
    {
        var all = SHA256.Create();
        var files = new Dictionary<string, Asset>(StringComparer.Ordinal);
        foreach (var (name, type) in RendererFiles.Assets)
        {
            var path = Path.Combine(directory, name);
            var bytes = File.Exists(path) ? File.ReadAllBytes(path) : null;
            if (bytes is not null)
            {
                var named = Encoding.UTF8.GetBytes(name + "\n");
                all.TransformBlock(named, 0, named.Length, null, 0);
                all.TransformBlock(bytes, 0, bytes.Length, null, 0);
            }
            files[name] = new Asset(name, type, bytes is null ? null : Encode(bytes), path);
        }
        all.TransformFinalBlock([], 0, 0);
        var hash = Convert.ToHexStringLower(all.Hash!)[..16];
        all.Dispose();
        return new RendererAssets(hash, files, Html(directory, RendererFiles.IndexPage, hash), Html(directory, RendererFiles.DashboardPage, hash), directory);
    }

    private static EncodedBody Encode(byte[] bytes) =>
        s_encoded.GetOrAdd(Convert.ToHexStringLower(SHA256.HashData(bytes)), static (_, b) => EncodedBody.Create(b, CompressionLevel.SmallestSize), bytes);

    private static string? Html(string directory, string file, string hash)
    {
        var path = Path.Combine(directory, file);
        return File.Exists(path) ? File.ReadAllText(path).Replace("\"/assets/", $"\"/assets/{hash}/", StringComparison.Ordinal) : null;
    }
}
