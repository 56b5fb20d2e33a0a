using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Pulseboard.Server.Auth;

namespace Pulseboard.Server.Serving;

/// <summary><c>GET /api/dashboards</c> and <c>GET /api/dashboards/{id}</c> (with ETag and 304).</summary>
internal static class DashboardEndpoints
{
    public static IEndpointRouteBuilder MapDashboardEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/dashboards", (HttpRequest request, CacheStore caches, Tokens tokens) =>
            Access.Reader(request, tokens)
            ?? TypedResults.Json(caches.Overview, ServerJsonContext.Default.IReadOnlyListDashboardSummary));
        app.MapGet("/api/dashboards/{id}", Get);
        return app;
    }

    private static IResult Get(string id, HttpRequest request, HttpResponse response, CacheStore caches, Tokens tokens)
    {
        if (Access.Reader(request, tokens) is { } denied)
        {
            return denied;
        }
        if (!EventRules.IsSlug(id))
        {
            return Problems.Of(StatusCodes.Status404NotFound, "No such dashboard", $"{EventRules.Quote(id)} is not a dashboard id ({EventRules.SlugPattern})");
        }
        if (!caches.TryGet(id, out var cache))
        {
            return Problems.Of(StatusCodes.Status404NotFound, "No such dashboard", $"there is no cache for {EventRules.Quote(id)} yet: add dashboards/{id}.yaml, or wait for its first event");
        }
        response.Headers.ETag = cache.ETag;
        response.Headers.CacheControl = "no-cache";
        if (request.Headers.IfNoneMatch.Contains(cache.ETag))
        {
            return TypedResults.StatusCode(StatusCodes.Status304NotModified);
        }
        return TypedResults.Bytes(cache.Bytes, "application/json");
    }
}
