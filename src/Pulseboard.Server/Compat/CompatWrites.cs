using System.Buffers;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Pulseboard.Log;
using Pulseboard.Server.Auth;
using Pulseboard.Server.Metrics;

using Pulseboard.Server.Hosting;

namespace Pulseboard.Server.Compat;

/// <summary>
/// What the compatible endpoints share: who may write (a bearer token that covers the checks dashboard, or a ping
/// token), checking each event against the contract as <c>POST /api/events</c> does, and appending them all or none.
/// </summary>
internal static class CompatWrites
{
    /// <summary>Null when the request may write to <paramref name="dashboard"/>; else the 401 or 403.</summary>
    /// <param name="request">The request, for its bearer token.</param>
    /// <param name="tokens">The server's tokens.</param>
    /// <param name="dashboard">The checks dashboard.</param>
    /// <param name="pathGrant">The ping token found first in the path, if any: it suffices.</param>
    public static IResult? Authorize(HttpRequest request, Tokens tokens, string dashboard, TokenGrant? pathGrant)
    {
        if (!tokens.Any || pathGrant is not null)
        {
            return null;
        }
        var grant = tokens.Find(request);
        if (grant is null)
        {
            request.HttpContext.Response.Headers.WWWAuthenticate = "Bearer";
            return Problems.Of(StatusCodes.Status401Unauthorized, "Unauthorized",
                "this server needs a token: send Authorization: Bearer <token>, or put a ping token (\"ping\": true in the tokens file) first in the path, /ping/<token>/<slug> or /api/push/<token>/<slug>");
        }
        if (!grant.Ping && !grant.Dashboards.Any(g => g.IsMatch(dashboard)))
        {
            return Problems.Of(StatusCodes.Status403Forbidden, "Forbidden",
                $"token \"{grant.Name}\" may not write the dashboard {EventRules.Quote(dashboard)}; add it to the token's dashboards, or use a ping token");
        }
        return null;
    }

    /// <summary>The first rule one of <paramref name="events"/> breaks, as a 400 that names it; null when all pass.</summary>
    public static IResult? Check(IReadOnlyList<Event> events, Func<int, string> which)
    {
        for (var i = 0; i < events.Count; i++)
        {
            if (EventRules.Check(events[i]) is { } error)
            {
                return Problems.Of(StatusCodes.Status400BadRequest, "Not a valid event", $"{which(i)}: {error.Message}");
            }
        }
        return null;
    }

    /// <summary>Appends <paramref name="events"/>; null when every one was stored, else the problem to answer.</summary>
    public static async Task<IResult?> AppendAsync(CompatServices services, IReadOnlyList<Event> events, CancellationToken cancellationToken)
    {
        if (events.Count == 0)
        {
            return null;
        }
        IReadOnlyList<AppendOutcome> outcomes;
        try
        {
            outcomes = await services.Log.AppendAsync(events, false, cancellationToken).ConfigureAwait(false);
        }
        catch (LogWriteException ex) when (ex.RetryAfter is { } retryAfter)
        {
            return Problems.LogUnavailable(ex, retryAfter, i => i);
        }
        catch (LogWriteException ex)
        {
            return Problems.Of(ex.Faulted ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status507InsufficientStorage,
                "The event log cannot store events", ex.Message);
        }
        services.Metrics.CountAppended(events, outcomes, services.Definitions.TakesAny);
        var refused = outcomes.Select(o => o.Error).OfType<EventError>().FirstOrDefault();
        return refused is null ? null : Problems.Of(StatusCodes.Status400BadRequest, "The event is not valid", refused.Message);
    }

    /// <summary>A JSON object written by <paramref name="write"/>, as an event's content.</summary>
    public static JsonElement Content(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            write(writer);
            writer.WriteEndObject();
        }
        using var document = JsonDocument.Parse(buffer.WrittenMemory);
        return document.RootElement.Clone();
    }

    /// <summary>
    /// Reads at most <paramref name="max"/> bytes of the body: the bytes, or the problem to answer (413 with
    /// <paramref name="tooLarge"/> when it is longer, or why Kestrel could not read it).
    /// </summary>
    public static async Task<(byte[]? Body, IResult? Problem)> ReadBodyAsync(HttpRequest request, long max, string tooLarge, CancellationToken cancellationToken)
    {
        var large = Problems.Of(StatusCodes.Status413PayloadTooLarge, "Body too large", tooLarge);
        if (request.ContentLength > max)
        {
            return (null, large);
        }
        using var copy = new MemoryStream();
        var buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            int read;
            while ((read = await request.Body.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
            {
                if (copy.Length + read > max)
                {
                    return (null, large);
                }
                copy.Write(buffer, 0, read);
            }
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return (null, large);
        }
        catch (BadHttpRequestException ex)
        {
            return (null, Problems.Of(ex.StatusCode, "Body not read", $"{ex.Message}; send the whole body at once, with a correct Content-Length"));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        return (copy.ToArray(), null);
    }

    /// <summary>The path's segments, without empty ones (a trailing slash).</summary>
    public static string[] Segments(string? path) =>
        (path ?? "").Split('/', StringSplitOptions.RemoveEmptyEntries);
}

/// <summary>
/// What every compatible endpoint writes through, taken from the services in one parameter (<c>[AsParameters]</c>):
/// the log, the server's options and tokens, its metrics, and the definitions that say which events are stray.
/// </summary>
internal readonly record struct CompatServices(IEventLog Log, ServerOptions Options, Tokens Tokens, ServerMetrics Metrics, ServedDefinitions Definitions);
