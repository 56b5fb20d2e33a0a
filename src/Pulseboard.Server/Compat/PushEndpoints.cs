using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Pulseboard.Log;
using Pulseboard.Server.Auth;
using Pulseboard.Server.Metrics;

namespace Pulseboard.Server.Compat;

/// <summary>
/// Uptime Kuma-style push monitors: <c>GET|POST /api/push/{slug}?status=up|down&amp;msg=…&amp;ping=…</c>, one event
/// in section <c>push</c> of the checks dashboard; answers <c>{"ok":true}</c> as Uptime Kuma does.
/// </summary>
/// <remarks>
/// As in Uptime Kuma, <c>status</c> defaults to <c>up</c> and <c>msg</c> to <c>OK</c>; <c>ping</c> (milliseconds) may be
/// empty. A ping token may come first in the path: <c>/api/push/{token}/{slug}</c>.
/// </remarks>
internal static class PushEndpoints
{
    private const string Usage = "a push is /api/push/<slug>?status=up|down&msg=<text>&ping=<ms>, with a ping token first when the server has tokens: /api/push/<token>/<slug>";

    public static IEndpointRouteBuilder MapPushEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapMethods("/api/push/{**path}", [HttpMethods.Get, HttpMethods.Post], PushAsync);
        return app;
    }

    private static async Task<IResult> PushAsync(HttpRequest request, string? path, [AsParameters] CompatServices services, CancellationToken cancellationToken)
    {
        var (options, tokens) = (services.Options, services.Tokens);
        var segments = CompatWrites.Segments(path);
        var grant = segments.Length == 2 && tokens.Any ? tokens.FindPing(segments[0]) : null;
        if (grant is not null)
        {
            segments = segments[1..];
        }
        if (CompatWrites.Authorize(request, tokens, options.ChecksDashboard, grant) is { } denied)
        {
            return denied;
        }
        if (segments.Length != 1)
        {
            return Problems.Of(StatusCodes.Status400BadRequest, "Not a push URL", Usage);
        }
        var status = request.Query["status"].ToString() is { Length: > 0 } s ? s : "up";
        if (status is not ("up" or "down"))
        {
            return Problems.Of(StatusCodes.Status400BadRequest, "Not a status", $"status: {EventRules.Quote(status)} is not up or down; {Usage}");
        }
        var msg = request.Query["msg"].ToString() is { Length: > 0 } m ? m : "OK";
        double? ping = null;
        if (request.Query["ping"].ToString() is { Length: > 0 } p)
        {
            if (!double.TryParse(p, NumberStyles.Float, CultureInfo.InvariantCulture, out var ms) || !double.IsFinite(ms) || ms < 0)
            {
                return Problems.Of(StatusCodes.Status400BadRequest, "Not a ping time", $"ping: {EventRules.Quote(p)} is not a number of milliseconds; send e.g. ping=42, or leave it empty");
            }
            ping = ms;
        }
        var e = CheckEvents.PushOf(options.ChecksDashboard, segments[0], status, msg, ping);
        if (CompatWrites.Check([e], _ => $"/api/push/{segments[0]}") is { } invalid)
        {
            return invalid;
        }
        if (await CompatWrites.AppendAsync(services, [e], cancellationToken).ConfigureAwait(false) is { } failed)
        {
            return failed;
        }
        return TypedResults.Text("""{"ok":true}""", "application/json", Encoding.UTF8);
    }
}
