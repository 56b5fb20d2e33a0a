using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Pulseboard.Server.Auth;

namespace Pulseboard.Server.Serving;

/// <summary>
/// The pages: <c>/</c> lists the dashboards, <c>/d/{id}</c> is the dashboard page with its current cache in it (a 404
/// page when there is no such dashboard), and <c>/assets/…</c> the renderer's files: under <c>/assets/&lt;hash&gt;/</c>
/// cached for ever, under plain <c>/assets/</c> revalidated. Only the listed files are served, so no path can escape.
/// Every answer carries a strict Content-Security-Policy: no inline script, nothing from elsewhere.
/// </summary>
internal static class PageEndpoints
{
    private const string Html = "text/html; charset=utf-8";
    private static readonly System.Buffers.SearchValues<char> s_hex = System.Buffers.SearchValues.Create("0123456789abcdef");

    public static IEndpointRouteBuilder MapPageEndpoints(this IEndpointRouteBuilder app)
    {
        var assets = app.ServiceProvider.GetRequiredService<RendererAssets>();
        var pages = app.ServiceProvider.GetRequiredService<DashboardPages>();
        app.MapGet("/", (HttpContext context) => pages.Index is { } index
            ? PageResponses.Write(context, index, Html, PageResponses.Revalidate)
            : NotBuilt(context, assets.Directory, RendererFiles.IndexPage));
        app.MapGet("/d/{id}", (string id, HttpContext context, CacheStore caches, Tokens tokens) => Dashboard(id, context, caches, tokens, assets, pages));
        app.MapGet("/assets/{**name}", (string name, HttpContext context) => Asset(name, context, assets));
        return app;
    }

    private static IResult Dashboard(string id, HttpContext context, CacheStore caches, Tokens tokens, RendererAssets assets, DashboardPages pages)
    {
        // When reading needs a token, a browser's navigation carries none: the page then holds no data, as before, and
        // fetches its cache (which the token protects) itself. Nor does it say which dashboards exist.
        if (tokens.ReadNeedsToken && tokens.Find(context.Request) is not { Read: true })
        {
            return pages.Plain is { } plain ? PageResponses.Write(context, plain, Html, PageResponses.Revalidate) : NotBuilt(context, assets.Directory, RendererFiles.DashboardPage);
        }
        if (!EventRules.IsSlug(id) || !caches.TryGet(id, out var cache))
        {
            return PageResponses.Write(context, NotFoundPage.For(id, assets), Html, PageResponses.Revalidate, StatusCodes.Status404NotFound);
        }
        return pages.WithCache(id, cache) is { } page
            ? PageResponses.Write(context, page, Html, PageResponses.Revalidate)
            : NotBuilt(context, assets.Directory, RendererFiles.DashboardPage);
    }

    private static IResult Asset(string name, HttpContext context, RendererAssets assets)
    {
        var cacheControl = PageResponses.Revalidate;
        var slash = name.IndexOf('/', StringComparison.Ordinal);
        if (!assets.Files.ContainsKey(name) && slash > 0 && IsHash(name.AsSpan(0, slash)))
        {
            // A page from before a restart with other files may still ask for its old hash: it gets today's file,
            // revalidated, rather than a 404 in the middle of drawing a chart.
            cacheControl = name.AsSpan(0, slash).SequenceEqual(assets.Hash) ? PageResponses.Immutable : PageResponses.Revalidate;
            name = name[(slash + 1)..];
        }
        if (!assets.Files.TryGetValue(name, out var asset))
        {
            PageResponses.SecurityHeaders(context.Response);
            return Problems.Of(StatusCodes.Status404NotFound, "Not found", "no such asset");
        }
        return asset.Body is { } body ? PageResponses.Write(context, body, asset.Type, cacheControl) : NotBuilt(context, asset.Path, null);
    }

    private static bool IsHash(ReadOnlySpan<char> segment) => segment.Length == 16 && !segment.ContainsAnyExcept(s_hex);

    private static IResult NotBuilt(HttpContext context, string directory, string? file)
    {
        PageResponses.SecurityHeaders(context.Response);
        var path = file is null ? directory : Path.Combine(directory, file);
        return Problems.Of(StatusCodes.Status503ServiceUnavailable, "The renderer is not built",
            $"{path} is missing: build the server (it runs npm ci in src/Pulseboard.Renderer), or run ./pulseboard serve, which builds first");
    }
}
