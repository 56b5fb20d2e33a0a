using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Pulseboard.Log.Storage;
using Pulseboard.Projection.Caches;
using Pulseboard.Server.Serving;

namespace Pulseboard.Server.Export;

/// <summary>
/// A self-contained static site of the dashboards, for any static host or a subfolder of one: <c>index.html</c>, one
/// <c>&lt;id&gt;.html</c> per dashboard, the renderer's <c>assets/</c>, and <c>caches/&lt;id&gt;.json</c> with
/// <c>caches/index.json</c> (the overview of <c>GET /api/dashboards</c>, with relative URLs). Relative URLs only; the pages poll their cache (a static host has no stream).
/// </summary>
/// <remarks>
/// Every cache copied gets a fresh <c>generated</c> time, so a page can tell its reader the publisher stopped (the
/// cron job that refreshes the site died) even when the data itself simply did not change. Files are replaced
/// atomically: a host never serves half of one.
/// </remarks>
internal static class StaticSite
{
    /// <summary>Writes the whole site: pages, assets and caches. Returns the dashboards written.</summary>
    public static IReadOnlyList<string> Write(string rendererDirectory, string dataDirectory, string output, DateTimeOffset now, bool headers)
    {
        foreach (var (asset, _) in RendererFiles.Assets)
        {
            var source = Path.Combine(rendererDirectory, asset);
            if (!File.Exists(source))
            {
                throw new FileNotFoundException($"The renderer's {asset} is missing from {rendererDirectory}; build first (./pulseboard builds on first use).", source);
            }
            var target = Path.Combine(output, "assets", asset);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            AtomicFile.Write(target, File.ReadAllBytes(source), fsync: false);
        }
        var ids = RefreshCaches(dataDirectory, output, now);
        AtomicFile.Write(Path.Combine(output, "index.html"), Page(rendererDirectory, RendererFiles.IndexPage, null), fsync: false);
        foreach (var id in ids)
        {
            AtomicFile.Write(Path.Combine(output, id + ".html"), Page(rendererDirectory, RendererFiles.DashboardPage, id), fsync: false);
        }
        if (headers)
        {
            AtomicFile.Write(Path.Combine(output, "_headers"), Encoding.UTF8.GetBytes($"""
                /caches/*
                  Cache-Control: no-cache
                /assets/*
                  Cache-Control: public, max-age=3600
                /*
                  Content-Security-Policy: {RendererFiles.ContentSecurityPolicy}
                  X-Content-Type-Options: nosniff

                """), fsync: false);
        }
        return ids;
    }

    /// <summary>Copies every cache of the data folder into <c>output/caches/</c> with a fresh <c>generated</c>, and writes <c>caches/index.json</c>.</summary>
    public static IReadOnlyList<string> RefreshCaches(string dataDirectory, string output, DateTimeOffset now)
    {
        var source = CacheFiles.Directory(dataDirectory);
        var target = Path.Combine(output, "caches");
        Directory.CreateDirectory(target);
        var index = new List<Serving.DashboardSummary>();
        var ids = new List<string>();
        foreach (var id in CacheFiles.Ids(source))
        {
            if (JsonNode.Parse(File.ReadAllBytes(CacheFiles.PathOf(source, id))) is not JsonObject cache || cache["orphaned"] is not null)
            {
                continue;
            }
            cache["generated"] = now.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", System.Globalization.CultureInfo.InvariantCulture);
            var bytes = Encoding.UTF8.GetBytes(cache.ToJsonString());
            AtomicFile.Write(CacheFiles.PathOf(target, id), bytes, fsync: false);
            index.Add(Serving.DashboardOverview.Read(id, bytes, $"caches/{id}.json")); // the server's overview, from the copy

            ids.Add(id);
        }
        AtomicFile.Write(Path.Combine(target, "index.json"),
            JsonSerializer.SerializeToUtf8Bytes(Serving.DashboardOverview.Sort(index), ServerJsonContext.Default.IReadOnlyListDashboardSummary), fsync: false);
        return ids;
    }

    /// <summary>A page with relative URLs: assets beside it, caches in <c>caches/</c>, and the dashboard it shows.</summary>
    private static byte[] Page(string rendererDirectory, string file, string? id)
    {
        var html = File.ReadAllText(Path.Combine(rendererDirectory, file))
            .Replace("\"/assets/", "\"assets/", StringComparison.Ordinal)
            .Replace("content=\"/api/dashboards\"", "content=\"caches\"", StringComparison.Ordinal);
        if (id is not null)
        {
            html = html.Replace("<meta name=\"pulseboard-api\"", $"<meta name=\"pulseboard-dashboard\" content=\"{id}\">\n  <meta name=\"pulseboard-api\"", StringComparison.Ordinal)
                .Replace("href=\"/\"", "href=\"index.html\"", StringComparison.Ordinal);
        }
        return Encoding.UTF8.GetBytes(html);
    }
}
