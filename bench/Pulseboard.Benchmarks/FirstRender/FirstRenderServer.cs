using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Pulseboard.Benchmarks.Throughput;
using Pulseboard.Server;
using Pulseboard.Server.Serving;

namespace Pulseboard.Benchmarks.FirstRender;

/// <summary>
/// The product's server, built in this process with <see cref="PulseboardServer.Build"/>, plus routes that exist only
/// here: the floor (<c>/floor/{id}</c>) and the levers (<c>/bench/plain/{id}</c>, a request header that turns
/// compression off). The floor and the page are then served by the same Kestrel, the same cache, the same JIT.
/// </summary>
internal sealed class FirstRenderServer : IAsyncDisposable
{
    /// <summary>A request with this header is answered as if it accepted no compression (the lever "uncompressed").</summary>
    public const string IdentityHeader = "X-Bench-Identity";

    /// <summary>
    /// The floor: the least a page can do to show a dashboard. Its own inline script fetches the cache and writes each
    /// section as text, then marks the time as the real page does. No CSP (bench only), no assets, no framework.
    /// </summary>
    private const string Floor = """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><title>floor</title><link rel="icon" href="data:,"></head>
        <body><main id="sections"></main>
        <script>
        (async () => {
          const id = location.pathname.split("/").pop();
          const cache = await (await fetch(`/api/dashboards/${id}`, { cache: "no-cache" })).json();
          const sections = document.getElementById("sections");
          for (const [sectionId, section] of Object.entries(cache.sections)) {
            const pre = document.createElement("pre");
            pre.dataset.section = sectionId;
            pre.textContent = JSON.stringify(section);
            sections.append(pre);
          }
          performance.mark("pulseboard:first-render");
        })();
        </script>
        </body></html>
        """;

    private readonly WebApplication _app;
    private readonly TempDataFolder _data;

    private FirstRenderServer(WebApplication app, TempDataFolder data, Uri url)
    {
        _app = app;
        _data = data;
        Url = url;
        Http = new HttpClient { BaseAddress = url };
    }

    public Uri Url { get; }

    public HttpClient Http { get; }

    public static async Task<FirstRenderServer> StartAsync()
    {
        var data = TempDataFolder.Create(Path.GetTempPath(), "first-render");
        var app = PulseboardServer.Build(new ServerOptions
        {
            Urls = "http://127.0.0.1:0",
            DataDirectory = data.Path,
            DashboardsDirectory = DashboardsFolder.Find(),
        }, logging => logging.ClearProviders());
        app.Use((context, next) =>
        {
            if (context.Request.Headers.ContainsKey(IdentityHeader))
            {
                context.Request.Headers.AcceptEncoding = "identity";
            }
            return next(context);
        });
        app.MapGet("/floor/{id}", () => TypedResults.Text(Floor, "text/html; charset=utf-8"));
        var pages = app.Services.GetRequiredService<DashboardPages>();
        // The lever "not inlined": the same page with the same hashed assets, without the cache in it (it fetches it).
        app.MapGet("/bench/plain/{id}", (HttpContext context) => PageResponses.Write(context, pages.Plain!, "text/html; charset=utf-8", PageResponses.Revalidate));
        await app.StartAsync().ConfigureAwait(false);
        return new FirstRenderServer(app, data, new Uri(PulseboardServer.Addresses(app)[0]));
    }

    /// <summary>Posts the costs traffic and waits until the cache holds all of it. Returns the cache's bytes and position.</summary>
    public async Task<(int Bytes, long Position)> FillCostsAsync()
    {
        using var response = await Http.PostAsync("/api/events", new StringContent(CostsTraffic.Ndjson(DateTimeOffset.UtcNow), System.Text.Encoding.UTF8, "application/x-ndjson")).ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
        var last = JsonNode.Parse(await response.Content.ReadAsStringAsync().ConfigureAwait(false))!["last"]!.GetValue<long>();
        var deadline = DateTime.UtcNow.AddMinutes(1);
        while (true)
        {
            using var answer = await Http.GetAsync("/api/dashboards/costs").ConfigureAwait(false);
            var cache = answer.IsSuccessStatusCode ? await answer.Content.ReadAsByteArrayAsync().ConfigureAwait(false) : null; // 404 until the first cycle
            var position = cache is null ? -1 : JsonNode.Parse(cache)!["position"]!.GetValue<long>();
            if (position >= last)
            {
                return (cache!.Length, position);
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"the costs cache is at {position} after a minute, not {last}");
            }
            await Task.Delay(20).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
        _data.Dispose();
    }
}
