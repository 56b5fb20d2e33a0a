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
/// Healthchecks-style pings: <c>GET|POST|HEAD /ping/{slug}</c>, <c>…/start</c>, <c>…/fail</c>, <c>…/log</c> and
/// <c>…/{exit code 0–255}</c>, each one event in section <c>pings</c> of the checks dashboard; <c>200 OK</c>.
/// </summary>
/// <remarks>
/// A ping token may come first in the path (<c>/ping/{token}/{slug}…</c>), as Healthchecks' ping keys do. Exit code
/// 0 is a success (<c>ping</c>), any other a failure (<c>fail</c>). A POST body up to <see cref="MaxBodyBytes"/> is
/// taken; its first <see cref="KeptBodyBytes"/> go into the event as text when they are UTF-8.
/// </remarks>
internal static class PingEndpoints
{
    /// <summary>The first bytes of a POST body kept in the event.</summary>
    public const int KeptBodyBytes = 10 * 1024;

    /// <summary>The largest POST body taken (Healthchecks.io's limit): a longer one is a 413.</summary>
    public const int MaxBodyBytes = 100 * 1024;

    private const string Usage = "a ping is /ping/<slug>, /ping/<slug>/start, /ping/<slug>/fail, /ping/<slug>/log or /ping/<slug>/<exit code 0-255>, with a ping token first when the server has tokens: /ping/<token>/<slug>…";

    public static IEndpointRouteBuilder MapPingEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapMethods("/ping/{**path}", [HttpMethods.Get, HttpMethods.Post, HttpMethods.Head], PingAsync);
        return app;
    }

    private static async Task<IResult> PingAsync(HttpRequest request, string? path, [AsParameters] CompatServices services, PingRuns runs, CancellationToken cancellationToken)
    {
        var (options, tokens) = (services.Options, services.Tokens);
        var segments = CompatWrites.Segments(path);
        var grant = segments.Length >= 2 && tokens.Any ? tokens.FindPing(segments[0]) : null;
        if (grant is not null)
        {
            segments = segments[1..];
        }
        if (CompatWrites.Authorize(request, tokens, options.ChecksDashboard, grant) is { } denied)
        {
            return denied;
        }
        if (segments.Length is 0 or > 2)
        {
            return Problems.Of(StatusCodes.Status400BadRequest, "Not a ping URL", Usage);
        }
        var slug = segments[0];
        var (action, exitCode, problem) = segments.Length == 1 ? ("ping", null, null) : Suffix(segments[1]);
        if (problem is not null)
        {
            return problem;
        }
        var rid = request.Query["rid"].ToString() is { Length: > 0 } r ? r : null;
        if (rid is not null && !EventRules.IsName(rid))
        {
            return Problems.Of(StatusCodes.Status400BadRequest, "Not a run id",
                $"rid: {EventRules.Quote(rid)} is not a run id; use a UUID (or 1 to 64 of A-Z a-z 0-9 _ . : -)");
        }
        string? body = null;
        if (HttpMethods.IsPost(request.Method))
        {
            var (bytes, tooLarge) = await CompatWrites.ReadBodyAsync(request, MaxBodyBytes,
                $"the body is over {MaxBodyBytes / 1024} KB; send the end of the output instead (e.g. | tail -c {KeptBodyBytes}): only the first {KeptBodyBytes / 1024} KB are kept", cancellationToken).ConfigureAwait(false);
            if (tooLarge is not null)
            {
                return tooLarge;
            }
            body = Text(bytes!, KeptBodyBytes, Math.Max(0, options.MaxEventBytes - 1024));
        }
        // A success or failure carries the run time since its /start; the start is forgotten only once it is stored.
        var run = action is "ping" or "fail" ? runs.End(options.ChecksDashboard, slug, rid, forget: false) : null;
        var e = CheckEvents.Ping(options.ChecksDashboard, slug, action, exitCode, run, rid, body);
        if (CompatWrites.Check([e], _ => $"/ping/{slug}") is { } invalid)
        {
            return invalid;
        }
        if (await CompatWrites.AppendAsync(services, [e], cancellationToken).ConfigureAwait(false) is { } failed)
        {
            return failed;
        }
        switch (action)
        {
            case "start":
                runs.Start(options.ChecksDashboard, slug, rid);
                break;
            case "ping" or "fail" when run is not null:
                runs.End(options.ChecksDashboard, slug, rid);
                break;
        }
        return TypedResults.Text("OK", "text/plain", Encoding.UTF8);
    }

    /// <summary>The action and exit code a path's last segment names, or the 400 that says what it may be.</summary>
    private static (string Action, int? ExitCode, IResult? Problem) Suffix(string suffix)
    {
        switch (suffix)
        {
            case "start" or "fail" or "log":
                return (suffix, null, null);
        }
        if (suffix.Length <= 3 && int.TryParse(suffix, NumberStyles.None, CultureInfo.InvariantCulture, out var code))
        {
            if (code <= 255)
            {
                return (code == 0 ? "ping" : "fail", code, null);
            }
        }
        else if (!suffix.All(char.IsAsciiDigit))
        {
            return ("", null, Problems.Of(StatusCodes.Status400BadRequest, "Not a ping URL",
                $"{EventRules.Quote(suffix)} is not start, fail, log or an exit code; {Usage}"));
        }
        return ("", null, Problems.Of(StatusCodes.Status400BadRequest, "Not an exit code",
            $"exit code {EventRules.Quote(suffix)} is out of range: send the command's exit status, 0 to 255 (0 is a success)"));
    }

    /// <summary>
    /// The first <paramref name="maxBytes"/> bytes of a body as text, cut at a whole character and, further, so that it
    /// takes at most <paramref name="maxEscaped"/> bytes once written as a JSON string (a control character or a
    /// non-ASCII one is written as an escape such as <c>\u00e9</c>: six bytes, twelve for a pair); null when empty or not UTF-8.
    /// </summary>
    internal static string? Text(byte[] body, int maxBytes, int maxEscaped)
    {
        if (body.Length == 0 || maxBytes == 0 || maxEscaped == 0)
        {
            return null;
        }
        var length = Math.Min(body.Length, maxBytes);
        while (length > 0 && length < body.Length && (body[length] & 0xC0) == 0x80)
        {
            length--; // never split a character: back up to the start of the one the cut falls in
        }
        var kept = body.AsSpan(0, length);
        if (!System.Text.Unicode.Utf8.IsValid(kept))
        {
            return null;
        }
        var text = Encoding.UTF8.GetString(kept);
        var escaped = 0;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            escaped += c < 0x80 && !char.IsControl(c) && "\"\\<>&'+`".IndexOf(c, StringComparison.Ordinal) < 0 ? 1 : 6;
            if (escaped > maxEscaped)
            {
                return i == 0 ? null : text[..(char.IsLowSurrogate(c) ? i - 1 : i)];
            }
        }
        return text;
    }
}
