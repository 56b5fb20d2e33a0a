using System.Buffers;
using System.Collections.Concurrent;
using System.IO.Compression;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Pulseboard.Server.Serving;

/// <summary>
/// The dashboard page with its cache in it: <c>dashboard.html</c> with the title filled in and the cache as a data
/// block, <c>&lt;script type="application/json" id="pulseboard-cache"&gt;</c>, so the first render needs no second
/// request. Made once per cache change (the first request after it), then the same bytes for every request.
/// </summary>
/// <remarks>
/// A data block is never executed, so the page's Content-Security-Policy (no inline script) still holds. The cache's
/// JSON has every <c>&lt;</c> written as <c>\u003c</c> (in JSON a <c>&lt;</c> can only be inside a string, where the
/// escape means the same), so no text from an event can close the block or open a comment. The title is author text
/// and goes in HTML-encoded. Thread-safe: two requests racing after a change may both build the page; either result is
/// the same.
/// </remarks>
internal sealed partial class DashboardPages(RendererAssets assets)
{
    private readonly ConcurrentDictionary<string, (ServedCache Source, EncodedBody Page)> _pages = new(StringComparer.Ordinal);
    private readonly EncodedBody? _plain = assets.DashboardHtml is { } html ? EncodedBody.Create(Encoding.UTF8.GetBytes(html), CompressionLevel.SmallestSize) : null;
    private readonly EncodedBody? _index = assets.IndexHtml is { } html ? EncodedBody.Create(Encoding.UTF8.GetBytes(html), CompressionLevel.SmallestSize) : null;

    /// <summary>The index page; null when the renderer is not built.</summary>
    public EncodedBody? Index => _index;

    /// <summary>The dashboard page without a cache (it fetches its own); null when the renderer is not built.</summary>
    public EncodedBody? Plain => _plain;

    /// <summary>The page of <paramref name="id"/> with <paramref name="cache"/> in it; null when the renderer is not built.</summary>
    public EncodedBody? WithCache(string id, ServedCache cache)
    {
        if (assets.DashboardHtml is not { } template)
        {
            return null;
        }
        if (_pages.TryGetValue(id, out var known) && ReferenceEquals(known.Source, cache))
        {
            return known.Page;
        }
        var page = EncodedBody.Create(Build(template, cache.Summary.Title, cache.Bytes), CompressionLevel.Optimal);
        _pages[id] = (cache, page);
        return page;
    }

    /// <summary>The page's bytes: the template with the title and the escaped cache put in.</summary>
    public static byte[] Build(string template, string title, byte[] cache)
    {
        title = WebUtility.HtmlEncode(title);
        // Evaluators, not replacement patterns: a '$' in the title must stay a '$', not name a group.
        var html = TitleElement().Replace(template, _ => $"<title>{title} · Pulseboard</title>", 1);
        html = HeadingElement().Replace(html, m => m.Groups[1].Value + title + "</h1>", 1);
        var end = html.LastIndexOf("</body>", StringComparison.OrdinalIgnoreCase);
        if (end < 0)
        {
            end = html.Length;
        }
        var output = new ArrayBufferWriter<byte>(html.Length + cache.Length + 256);
        Write(output, html.AsSpan(0, end));
        Write(output, "<script type=\"application/json\" id=\"pulseboard-cache\">");
        WriteEscaped(output, cache);
        Write(output, "</script>\n");
        Write(output, html.AsSpan(end));
        return output.WrittenSpan.ToArray();
    }

    private static void WriteEscaped(ArrayBufferWriter<byte> output, ReadOnlySpan<byte> json)
    {
        // '<' is one byte in UTF-8 and never part of a longer sequence, so a byte search finds every one.
        int at;
        while ((at = json.IndexOf((byte)'<')) >= 0)
        {
            output.Write(json[..at]);
            output.Write("\\u003c"u8);
            json = json[(at + 1)..];
        }
        output.Write(json);
    }

    private static void Write(ArrayBufferWriter<byte> output, ReadOnlySpan<char> text)
    {
        var span = output.GetSpan(Encoding.UTF8.GetMaxByteCount(text.Length));
        output.Advance(Encoding.UTF8.GetBytes(text, span));
    }

    [GeneratedRegex("<title>[^<]*</title>", RegexOptions.IgnoreCase)]
    private static partial Regex TitleElement();

    [GeneratedRegex("(<h1 [^>]*id=\"title\"[^>]*>)[^<]*</h1>", RegexOptions.IgnoreCase)]
    private static partial Regex HeadingElement();
}
