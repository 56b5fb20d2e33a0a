using Microsoft.AspNetCore.Http;

namespace Pulseboard.Server.Auth;

/// <summary>The answers for a request its token does not allow: 401 without a known token, 403 outside its grant.</summary>
internal static class Access
{
    /// <summary>Null when the request may write at all (it has a known token, or there are no tokens); else the 401.</summary>
    public static IResult? Writer(HttpRequest request, Tokens tokens, out TokenGrant? grant)
    {
        grant = null;
        if (!tokens.Any)
        {
            return null;
        }
        grant = tokens.Find(request);
        if (grant is { Ping: true })
        {
            return Problems.Of(StatusCodes.Status403Forbidden, "Forbidden",
                $"token \"{grant.Name}\" is a ping token: it writes only /ping, /api/push and /metrics/job; use a token without \"ping\": true here");
        }
        return grant is null ? Unauthorized(request, "write events") : null;
    }

    /// <summary>Null when the request may read caches; else the 401 or 403.</summary>
    public static IResult? Reader(HttpRequest request, Tokens tokens)
    {
        if (!tokens.ReadNeedsToken)
        {
            return null;
        }
        var grant = tokens.Find(request);
        if (grant is null)
        {
            return Unauthorized(request, "read dashboards");
        }
        return grant.Read ? null : Problems.Of(StatusCodes.Status403Forbidden, "Forbidden", $"token \"{grant.Name}\" may not read dashboards; use a token with \"read\": true");
    }

    /// <summary>
    /// The events whose dashboard the grant does not cover, with their index. A batch writes few dashboards, so each
    /// dashboard is matched against the grant's globs once, not once per event.
    /// </summary>
    public static List<(int Index, Event Event)> Forbidden(TokenGrant? grant, IEnumerable<(int Index, Event Event)> events)
    {
        if (grant is null)
        {
            return [];
        }
        var allowed = new Dictionary<string, bool>(StringComparer.Ordinal);
        return events.Where(e =>
        {
            if (!allowed.TryGetValue(e.Event.Dashboard, out var ok))
            {
                ok = allowed[e.Event.Dashboard] = grant.Dashboards.Any(g => g.IsMatch(e.Event.Dashboard));
            }
            return !ok;
        }).ToList();
    }

    private static IResult Unauthorized(HttpRequest request, string what)
    {
        request.HttpContext.Response.Headers.WWWAuthenticate = "Bearer";
        var sent = request.Headers.Authorization.Count > 0;
        return Problems.Of(StatusCodes.Status401Unauthorized, "Unauthorized",
            sent ? $"the bearer token is not one this server knows; to {what}, send Authorization: Bearer <token> with a token from its tokens file"
                 : $"this server needs a token to {what}: send Authorization: Bearer <token>");
    }
}
