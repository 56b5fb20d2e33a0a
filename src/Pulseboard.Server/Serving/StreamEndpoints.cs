using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Hosting;
using Pulseboard.Server.Auth;

namespace Pulseboard.Server.Serving;

/// <summary>
/// <c>GET /api/dashboards/{id}/stream</c>: Server-Sent Events, the whole cache on every change. The event id is the
/// cache's position; a client that already has it (<c>Last-Event-ID</c> on a reconnect, or <c>?position=</c> from a page
/// served with its cache inlined) gets nothing until the next change.
/// </summary>
/// <remarks>
/// Frames are built once per change (<see cref="ServedCache.Frame"/>) and the same bytes go to every client, so a
/// thousand browsers on one dashboard cost one serialization. Written by hand, not with
/// <c>TypedResults.ServerSentEvents</c>, so the bytes on the wire are exactly the golden-tested ones.
/// </remarks>
internal static class StreamEndpoints
{
    private static readonly byte[] s_keepAlive = ": keepalive\n\n"u8.ToArray();
    private static readonly byte[] s_retry = "retry: 3000\n\n"u8.ToArray();

    public static IEndpointRouteBuilder MapStreamEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/dashboards/{id}/stream", StreamAsync);
        return app;
    }

    private static async Task<IResult> StreamAsync(string id, HttpContext context, CacheStore caches, ServerOptions options, Tokens tokens, Metrics.ServerMetrics metrics, IHostApplicationLifetime lifetime, TimeProvider time)
    {
        if (Access.Reader(context.Request, tokens) is { } denied)
        {
            return denied;
        }
        // A dashboard with a definition but no cache yet (a fresh server before the projector's first cycle) is
        // streamed too: its first frame comes when its cache is written.
        if (!EventRules.IsSlug(id) || (!caches.TryGet(id, out _) && !File.Exists(Path.Combine(options.DashboardsDirectory, id + ".yaml"))))
        {
            return Problems.Of(StatusCodes.Status404NotFound, "No such dashboard", $"no cache for {EventRules.Quote(id)}; the dashboards are listed at /api/dashboards");
        }
        var response = context.Response;
        // A stream ends when its client goes or the server stops: open streams never hold up a shutdown.
        using var ends = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, lifetime.ApplicationStopping);
        var aborted = ends.Token;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no"; // nginx: do not buffer the stream
        await response.Body.WriteAsync(s_retry, aborted).ConfigureAwait(false);
        metrics.SseClients.Add(1);
        using var counted = new Counted(metrics);
        var sent = Known(context.Request);
        try
        {
            while (!aborted.IsCancellationRequested)
            {
                var changed = caches.ChangedAsync(id);
                if (caches.TryGet(id, out var cache) && cache.Position != sent)
                {
                    await response.Body.WriteAsync(cache.Frame, aborted).ConfigureAwait(false);
                    sent = cache.Position;
                }
                // The keep-alive's timer starts before the flush: once a client has read this frame, the timer that
                // will send its next keep-alive exists (a test advancing a fake clock right after it relies on that).
                var next = changed.WaitAsync(options.SseKeepAlive, time, aborted);
                await response.Body.FlushAsync(aborted).ConfigureAwait(false);
                try
                {
                    await next.ConfigureAwait(false);
                }
                catch (TimeoutException)
                {
                    await response.Body.WriteAsync(s_keepAlive, aborted).ConfigureAwait(false);
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException)
        {
            // The client went away.
        }
        return TypedResults.Empty;
    }

    /// <summary>
    /// The position the client already has, so its first frame is not the cache it holds: <c>Last-Event-ID</c> (what
    /// EventSource sends on a reconnect: the last frame it got) wins over <c>?position=</c> (what the page was
    /// served with) when both are sent; -1 when the one that counts is not a number.
    /// </summary>
    private static long Known(HttpRequest request)
    {
        var header = request.Headers["Last-Event-ID"];
        var value = header.Count > 0 ? header.ToString() : request.Query["position"].ToString();
        return long.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var position) ? position : -1;
    }

    private sealed class Counted(Metrics.ServerMetrics metrics) : IDisposable
    {
        public void Dispose() => metrics.SseClients.Add(-1);
    }
}
