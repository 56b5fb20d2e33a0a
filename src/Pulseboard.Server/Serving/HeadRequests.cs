using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Pulseboard.Server.Serving;

/// <summary>
/// <c>HEAD</c> for the pages, the assets and <c>/api/dashboards/{id}</c>: answered by the same endpoint as <c>GET</c>,
/// with the same headers (length, type, ETag) and no body.
/// </summary>
/// <remarks>
/// The request is routed as a <c>GET</c>; Kestrel still knows it parsed a <c>HEAD</c> and drops whatever body the
/// endpoint writes, as HTTP requires. Streams are left out: a <c>HEAD</c> of a stream would never end.
/// </remarks>
internal static class HeadRequests
{
    /// <summary>Adds the middleware; it must run before routing.</summary>
    public static IApplicationBuilder UseHeadAsGet(this IApplicationBuilder app) =>
        app.Use((context, next) =>
        {
            if (HttpMethods.IsHead(context.Request.Method) && Covered(context.Request.Path))
            {
                context.Request.Method = HttpMethods.Get;
            }
            return next(context);
        });

    private static bool Covered(PathString path)
    {
        var value = path.Value ?? "";
        if (value == "/" || value.StartsWith("/d/", StringComparison.Ordinal) || value.StartsWith("/assets/", StringComparison.Ordinal))
        {
            return true;
        }
        // /api/dashboards/{id}: one segment, so never …/stream.
        const string Caches = "/api/dashboards/";
        return value.StartsWith(Caches, StringComparison.Ordinal) && value.Length > Caches.Length && value.IndexOf('/', Caches.Length) < 0;
    }
}
