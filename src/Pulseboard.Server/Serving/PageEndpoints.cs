using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Pulseboard.Server.Auth;

namespace Pulseboard.Server.Serving;

/// <summary>
/// The pages: <c>/</c> lists the dashboards, <c>/d/{id}</c> renders any one of them from its cache, and
/// <c>/assets/…</c> serves the renderer's few files (read once; only the names listed here, so no path can escape).
/// Every answer carries a strict Content-Security-Policy: no inline script, nothing from elsewhere.
/// </summary>
internal static class PageEndpoints
{
    public const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private static readonly (string Name, string File, string Type)[] s_assets =
    [
        ("style.css", "style.css", "text/css; charset=utf-8"),
        ("common.js", "common.js", "text/javascript; charset=utf-8"),
        ("index.js", "index.js", "text/javascript; charset=utf-8"),
        ("dashboard.js", "dashboard.js", "text/javascript; charset=utf-8"),
        ("render.js", "render.js", "text/javascript; charset=utf-8"),
        ("chart.js", "chart.js", "text/javascript; charset=utf-8"),
        ("uplot/uPlot.iife.min.js", "uplot/uPlot.iife.min.js", "text/javascript; charset=utf-8"),
        ("uplot/uPlot.min.css", "uplot/uPlot.min.css", "text/css; charset=utf-8"),
    ];

    public static IEndpointRouteBuilder MapPageEndpoints(this IEndpointRouteBuilder app, string rendererDirectory)
    {
        var files = s_assets.ToDictionary(a => a.Name, a => Load(rendererDirectory, a.File, a.Type), StringComparer.Ordinal);
        var index = Load(rendererDirectory, "index.html", "text/html; charset=utf-8");
        var dashboard = Load(rendererDirectory, "dashboard.html", "text/html; charset=utf-8");
        app.MapGet("/", (HttpContext context, Tokens tokens) => Serve(context, index, tokens));
        app.MapGet("/d/{id}", (string id, HttpContext context, Tokens tokens) =>
            EventRules.IsSlug(id) ? Serve(context, dashboard, tokens) : Problems.Of(StatusCodes.Status404NotFound, "No such dashboard", $"{EventRules.Quote(id)} is not a dashboard id"));
        app.MapGet("/assets/{**name}", (string name, HttpContext context, Tokens tokens) =>
            files.TryGetValue(name, out var file) ? Serve(context, file, tokens) : Problems.Of(StatusCodes.Status404NotFound, "Not found", "no such asset"));
        return app;
    }

    private sealed record Asset(byte[]? Bytes, string Type, string ETag, string Path);

    private static Asset Load(string directory, string file, string type)
    {
        var path = System.IO.Path.Combine(directory, file);
        var bytes = File.Exists(path) ? File.ReadAllBytes(path) : null;
        return new Asset(bytes, type, bytes is null ? "" : $"\"{Convert.ToHexStringLower(SHA256.HashData(bytes))[..16]}\"", path);
    }

    private static IResult Serve(HttpContext context, Asset asset, Tokens tokens)
    {
        var headers = context.Response.Headers;
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "no-referrer";
        if (asset.Bytes is null)
        {
            return Problems.Of(StatusCodes.Status503ServiceUnavailable, "The renderer is not built",
                $"{asset.Path} is missing: build the server (it runs npm ci in src/Pulseboard.Renderer), or run ./pulseboard serve, which builds first");
        }
        _ = tokens; // pages hold no data: the caches they fetch are what read tokens protect
        headers.ETag = asset.ETag;
        headers.CacheControl = "no-cache";
        return context.Request.Headers.IfNoneMatch.Contains(asset.ETag)
            ? TypedResults.StatusCode(StatusCodes.Status304NotModified)
            : TypedResults.Bytes(asset.Bytes, asset.Type);
    }
}
