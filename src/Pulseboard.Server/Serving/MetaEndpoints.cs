using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Pulseboard.Log;

namespace Pulseboard.Server.Serving;

/// <summary>What <c>/healthz</c> answers.</summary>
/// <param name="Status"><c>ok</c>.</param>
/// <param name="LogEnd">The last seq the log acknowledged.</param>
/// <param name="Dashboards">Caches being served.</param>
internal sealed record HealthResponse(string Status, long LogEnd, int Dashboards);

/// <summary><c>/healthz</c> and <c>/schema/event.json</c>.</summary>
internal static class MetaEndpoints
{
    public static IEndpointRouteBuilder MapMetaEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/healthz", (IEventLog log, CacheStore caches) =>
            TypedResults.Json(new HealthResponse("ok", log.End, caches.All.Count()), ServerJsonContext.Default.HealthResponse));
        app.MapGet("/schema/event.json", () => TypedResults.Bytes(EventSchema.Utf8.ToArray(), "application/schema+json"));
        return app;
    }
}
