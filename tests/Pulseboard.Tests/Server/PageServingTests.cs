using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Pulseboard.Server;
using Pulseboard.Tests.Support;

namespace Pulseboard.Tests.Server;

/// <summary>
/// How the pages are served (issue 10): the cache inlined in the dashboard page, content-hashed assets with long
/// caching and compression, HEAD, the 404 page, and a stream that does not repeat the cache the page already has.
/// A real Kestrel on loopback; the costs dashboard's title is made hostile to check it is encoded.
/// </summary>
public sealed partial class PageServingTests : IAsyncLifetime
{
    private const string HostileTitle = "Costs <b>&</b> \"q\" $0 </title><script>alert(0)</script>";
    private const string Hostile = "</script><script>alert(1)</script><!--";
    private readonly TempDirectory _data = new();
    private readonly TempDirectory _dashboards = new();
    private TestServer _server = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        var yaml = File.ReadAllText(Path.Combine(Repo.Root, "dashboards", "costs.yaml"))
            .Replace("title: Costs\n", $"title: '{HostileTitle}'\n", StringComparison.Ordinal);
        File.WriteAllText(Path.Combine(_dashboards.Path, "costs.yaml"), yaml);
        _server = await TestServer.StartAsync(new ServerOptions
        {
            Urls = "http://127.0.0.1:0",
            DataDirectory = _data.Path,
            DashboardsDirectory = _dashboards.Path,
            SseKeepAlive = TimeSpan.FromMinutes(5), // no keep-alive comment between the bytes compared below
        });
        _http = _server.Http;
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _dashboards.Dispose();
        _data.Dispose();
    }

    /// <summary>Posts an alert whose category is <paramref name="category"/>; waits, with a bound, until the costs cache has it. Returns the cache's bytes.</summary>
    private async Task<string> AlertAsync(string category)
    {
        var body = new JsonObject
        {
            ["dashboard"] = "costs", ["section"] = "alerts", ["action"] = "budget_warning",
            ["content"] = new JsonObject { ["category"] = category, ["current"] = 1, ["limit"] = 2 },
        }.ToJsonString();
        using var response = await _http.PostAsync("/api/events", new StringContent(body, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var seq = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["last"]!.GetValue<long>();
        await _server.ProjectedAsync(seq);
        using var cache = await _http.GetAsync("/api/dashboards/costs");
        Assert.True(cache.IsSuccessStatusCode);
        return await cache.Content.ReadAsStringAsync();
    }

    private async Task<HttpResponseMessage> GetAsync(string path, string? acceptEncoding = null, string? ifNoneMatch = null, HttpMethod? method = null)
    {
        using var request = new HttpRequestMessage(method ?? HttpMethod.Get, path);
        if (acceptEncoding is not null)
        {
            request.Headers.TryAddWithoutValidation("Accept-Encoding", acceptEncoding);
        }
        if (ifNoneMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-None-Match", ifNoneMatch);
        }
        return await _http.SendAsync(request);
    }

    [GeneratedRegex("""<script type="application/json" id="pulseboard-cache">(.*?)</script>""", RegexOptions.Singleline)]
    private static partial Regex CacheBlock();

    [GeneratedRegex("""(?:src|href)="(/assets/[^"]*)""")]
    private static partial Regex AssetReference();

    [Fact]
    public async Task The_dashboard_page_carries_its_cache_inert_and_its_title_encoded()
    {
        var cache = await AlertAsync(Hostile);
        using var response = await GetAsync("/d/costs");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType!.MediaType);
        Assert.Contains("script-src 'self'", response.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        var html = await response.Content.ReadAsStringAsync();

        // The served bytes: the cache exactly, every '<' escaped, so the event's text cannot end the block.
        var block = Assert.Single(CacheBlock().Matches(html));
        Assert.Equal(cache.Replace("<", "\\u003c", StringComparison.Ordinal), block.Groups[1].Value);
        Assert.DoesNotContain('<', block.Groups[1].Value);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(cache), JsonNode.Parse(block.Groups[1].Value)));
        Assert.Contains(Hostile, JsonNode.Parse(block.Groups[1].Value)!["sections"]!["alerts"]!.ToJsonString(new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }), StringComparison.Ordinal);
        Assert.DoesNotContain("<script>alert", html, StringComparison.Ordinal);
        var encodedTitle = "Costs &lt;b&gt;&amp;&lt;/b&gt; &quot;q&quot; $0 &lt;/title&gt;&lt;script&gt;alert(0)&lt;/script&gt;";
        Assert.Contains($"<title>{encodedTitle} · Pulseboard</title>", html, StringComparison.Ordinal);
        Assert.Contains($"<h1 id=\"title\">{encodedTitle}</h1>", html, StringComparison.Ordinal);
        Assert.Equal(2, Regex.Count(html, "<script", RegexOptions.IgnoreCase)); // the module and the data block, nothing else

        // One version of the page per cache: revalidated with its ETag, and a new one once the cache changes.
        var etag = response.Headers.ETag!.Tag;
        using (var again = await GetAsync("/d/costs", ifNoneMatch: etag))
        {
            Assert.Equal(HttpStatusCode.NotModified, again.StatusCode);
        }
        await AlertAsync("gpu");
        using var changed = await GetAsync("/d/costs", ifNoneMatch: etag);
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        Assert.NotEqual(etag, changed.Headers.ETag!.Tag);
        Assert.Contains("budget_warning: gpu at 1 of 2", await changed.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Assets_are_served_under_one_content_hash_cached_for_ever_and_compressed()
    {
        await AlertAsync("gpu");
        var page = await (await GetAsync("/d/costs")).Content.ReadAsStringAsync();
        var references = AssetReference().Matches(page).Select(m => m.Groups[1].Value).ToList();
        Assert.NotEmpty(references);
        var prefix = Regex.Match(references[0], "^/assets/[0-9a-f]{16}/").Value;
        Assert.NotEqual("", prefix);
        Assert.All(references, r => Assert.StartsWith(prefix, r, StringComparison.Ordinal));
        Assert.Contains(prefix, await _http.GetStringAsync("/"), StringComparison.Ordinal);

        foreach (var name in new[] { "dashboard.js", "index.js", "style.css", "uplot/uPlot.iife.min.js" })
        {
            var onDisk = await File.ReadAllBytesAsync(Path.Combine(AppContext.BaseDirectory, "renderer", name));
            using var identity = await GetAsync(prefix + name);
            Assert.Equal("public, max-age=31536000, immutable", identity.Headers.CacheControl!.ToString());
            Assert.Empty(identity.Content.Headers.ContentEncoding);
            Assert.Equal(onDisk, await identity.Content.ReadAsByteArrayAsync());

            using var brotli = await GetAsync(prefix + name, "gzip, deflate, br");
            Assert.Equal("br", Assert.Single(brotli.Content.Headers.ContentEncoding));
            Assert.Contains("Accept-Encoding", brotli.Headers.Vary);
            Assert.Equal("public, max-age=31536000, immutable", brotli.Headers.CacheControl!.ToString());
            var compressed = await brotli.Content.ReadAsByteArrayAsync();
            Assert.True(compressed.Length < onDisk.Length);
            Assert.Equal(onDisk, Decompress(compressed, s => new BrotliStream(s, CompressionMode.Decompress)));

            using var gzip = await GetAsync(prefix + name, "br;q=0, gzip");
            Assert.Equal("gzip", Assert.Single(gzip.Content.Headers.ContentEncoding));
            Assert.Equal(onDisk, Decompress(await gzip.Content.ReadAsByteArrayAsync(), s => new GZipStream(s, CompressionMode.Decompress)));

            // Each representation has its own validator.
            Assert.Equal(3, new[] { identity.Headers.ETag!.Tag, brotli.Headers.ETag!.Tag, gzip.Headers.ETag!.Tag }.Distinct().Count());
            using var notModified = await GetAsync(prefix + name, "br", brotli.Headers.ETag.Tag);
            Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
        }

        // A page from before a restart may ask for an old hash: today's file, revalidated rather than cached for ever.
        using var stale = await GetAsync("/assets/0123456789abcdef/dashboard.js");
        Assert.Equal(HttpStatusCode.OK, stale.StatusCode);
        Assert.Equal("no-cache", stale.Headers.CacheControl!.ToString());

        // The plain names keep working, revalidated; anything not listed is a 404.
        using var plain = await GetAsync("/assets/dashboard.js", "br");
        Assert.Equal("no-cache", plain.Headers.CacheControl!.ToString());
        Assert.Equal("br", Assert.Single(plain.Content.Headers.ContentEncoding));
        Assert.Equal(HttpStatusCode.NotFound, (await GetAsync(prefix + "../../dashboards/costs.yaml")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await GetAsync(prefix + "package.json")).StatusCode);
    }

    private static byte[] Decompress(byte[] bytes, Func<Stream, Stream> open)
    {
        using var output = new MemoryStream();
        using (var stream = open(new MemoryStream(bytes)))
        {
            stream.CopyTo(output);
        }
        return output.ToArray();
    }

    [Fact]
    public async Task Head_answers_with_the_headers_of_get_and_no_body()
    {
        await AlertAsync("gpu");
        var prefix = Regex.Match(await _http.GetStringAsync("/"), "/assets/[0-9a-f]{16}/").Value;
        foreach (var path in new[] { "/", "/d/costs", prefix + "dashboard.js", "/assets/style.css", "/api/dashboards/costs" })
        {
            using var get = await GetAsync(path, "br");
            using var head = await GetAsync(path, "br", method: HttpMethod.Head);
            Assert.Equal(HttpStatusCode.OK, head.StatusCode);
            Assert.Equal(get.Content.Headers.ContentLength, head.Content.Headers.ContentLength);
            Assert.True(head.Content.Headers.ContentLength > 0, path);
            Assert.Equal(get.Headers.ETag, head.Headers.ETag);
            Assert.Equal(get.Content.Headers.ContentType, head.Content.Headers.ContentType);
            Assert.Empty(await head.Content.ReadAsByteArrayAsync());
        }
        using var missing = await GetAsync("/d/nothing-here", method: HttpMethod.Head);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        // The connection is still in step after the bodiless answers.
        Assert.Equal(HttpStatusCode.OK, (await GetAsync("/healthz")).StatusCode);
    }

    [Theory]
    [InlineData("/d/nothing-here", "nothing-here")]
    [InlineData("/d/%3Cimg%20src=x%20onerror=alert(1)%3E", "&lt;img src=x onerror=alert(1)&gt;")]
    [InlineData("/d/Not.A.Slug", "Not.A.Slug")]
    public async Task An_unknown_dashboard_is_a_404_page_that_links_to_the_index(string path, string shown)
    {
        await AlertAsync("gpu");
        using var response = await GetAsync(path);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType!.MediaType);
        Assert.Contains("default-src 'none'", response.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains($"There is no dashboard with the id “<code>{shown}</code>”.", html, StringComparison.Ordinal);
        Assert.Contains("<a href=\"/\">", html, StringComparison.Ordinal);
        Assert.Matches("""<link rel="stylesheet" href="/assets/[0-9a-f]{16}/style.css">""", html);
        Assert.DoesNotContain("<img", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task When_reading_needs_a_token_the_page_holds_no_data_without_one()
    {
        await AlertAsync("gpu");
        await _server.DisposeAsync();
        const string Wall = "wall-token-0123456789abcdef";
        _server = await TestServer.StartAsync(new ServerOptions
        {
            Urls = "http://127.0.0.1:0",
            DataDirectory = _data.Path,
            DashboardsDirectory = _dashboards.Path,
            TokensJson = $$"""[{"name": "wall", "token": "{{Wall}}", "read": true}]""",
        });
        _http = _server.Http;
        // A browser's navigation carries no bearer token: it gets the bare page, which fetches its cache (and is
        // refused there); nor does the answer tell which dashboards exist.
        foreach (var path in new[] { "/d/costs", "/d/nothing-here" })
        {
            using var anonymous = await GetAsync(path);
            Assert.Equal(HttpStatusCode.OK, anonymous.StatusCode);
            Assert.DoesNotContain("pulseboard-cache", await anonymous.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
        using var request = new HttpRequestMessage(HttpMethod.Get, "/d/costs");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Wall);
        using var reader = await _http.SendAsync(request);
        Assert.Contains("id=\"pulseboard-cache\"", await reader.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    /// <summary>Reads exactly <paramref name="length"/> bytes of the stream, with a bound.</summary>
    private static async Task<string> ReadAsync(Stream stream, int length)
    {
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var buffer = new byte[length];
        await stream.ReadExactlyAsync(buffer, bound.Token);
        return Encoding.UTF8.GetString(buffer);
    }

    private async Task<(HttpResponseMessage Response, Stream Body)> StreamAsync(string query, string? lastEventId = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/api/dashboards/costs/stream" + query);
        if (lastEventId is not null)
        {
            request.Headers.Add("Last-Event-ID", lastEventId);
        }
        var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        return (response, await response.Content.ReadAsStreamAsync());
    }

    private static string Frame(long position, string cache) => $"id: {position}\nevent: cache\ndata: {cache}\n\n";

    [Fact]
    public async Task A_stream_opened_at_the_page_s_position_does_not_send_the_cache_again()
    {
        var first = await AlertAsync("gpu");
        var (response, body) = await StreamAsync("?position=1");
        using (response)
        {
            var second = await AlertAsync("api");
            // Golden bytes: the retry hint, then straight to the change; the cache the page has is not sent again.
            Assert.Equal("retry: 3000\n\n" + Frame(2, second), await ReadAsync(body, Encoding.UTF8.GetByteCount("retry: 3000\n\n" + Frame(2, second))));
            Assert.DoesNotContain(first, second, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("?position=0", null)] // the page is behind: it gets the cache at once
    [InlineData("?position=1", "0")] // Last-Event-ID (a reconnect) wins over the page's position
    [InlineData("?position=abc", null)] // not a position: as if none
    [InlineData("", null)]
    public async Task A_stream_sends_the_cache_at_once_unless_the_client_already_has_it(string query, string? lastEventId)
    {
        var cache = await AlertAsync("gpu");
        var (response, body) = await StreamAsync(query, lastEventId);
        using (response)
        {
            var expected = "retry: 3000\n\n" + Frame(1, cache);
            Assert.Equal(expected, await ReadAsync(body, Encoding.UTF8.GetByteCount(expected)));
        }
    }
}
