using System.Buffers;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Net.Http.Headers;
using Pulseboard.Log;
using Pulseboard.Server.Auth;
using Pulseboard.Server.Hosting;
using Pulseboard.Server.Metrics;

namespace Pulseboard.Server.Ingest;

/// <summary>What <c>POST /api/events</c> answers: how many were stored, which were refused, and the positions.</summary>
/// <param name="Accepted">Events stored (duplicates of stored ids included).</param>
/// <param name="Rejected">The events refused, by index, with the field and the fix.</param>
/// <param name="First">The first position stored, 0 when none.</param>
/// <param name="Last">The last position stored, 0 when none.</param>
/// <param name="Positions">With <c>?positions=true</c>: each event's position by index (a duplicate's original one), 0 when refused.</param>
/// <param name="Unmatched">
/// The indexes of stored events that no section of any definition takes (a typo in the dashboard, section or action,
/// or a definition not written yet); absent when there are none. They are stored all the same: a definition added
/// later may want them.
/// </param>
internal sealed record IngestResponse(
    int Accepted,
    List<RejectedEvent> Rejected,
    long First,
    long Last,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long[]? Positions = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] List<int>? Unmatched = null);

/// <summary><c>POST /api/events</c>: one event, a JSON array, or NDJSON.</summary>
internal static class IngestEndpoints
{
    public static IEndpointRouteBuilder MapIngestEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/events", PostAsync);
        return app;
    }

    private static async Task<IResult> PostAsync(HttpRequest request, IEventLog log, ServerOptions options, Tokens tokens, ServerMetrics metrics, ServedDefinitions definitions, CancellationToken cancellationToken)
    {
        if (Access.Writer(request, tokens, out var grant) is { } denied)
        {
            return denied;
        }
        var kind = BodyKind(request.ContentType);
        if (kind is null)
        {
            return Problems.Of(StatusCodes.Status415UnsupportedMediaType, "Unsupported content type",
                $"send application/json (one event or an array) or application/x-ndjson (one event per line), in UTF-8; got \"{request.ContentType}\"");
        }
        if (request.ContentLength > options.MaxBodyBytes)
        {
            return TooLarge(options);
        }
        byte[] rented;
        int length;
        try
        {
            (rented, length) = await ReadBodyAsync(request, options.MaxBodyBytes, cancellationToken).ConfigureAwait(false);
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return TooLarge(options);
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status408RequestTimeout)
        {
            return Problems.Of(StatusCodes.Status408RequestTimeout, "Body too slow",
                "the body came slower than 240 bytes a second after a 5-second grace; send the whole body at once");
        }
        catch (BadHttpRequestException ex)
        {
            return Problems.Of(ex.StatusCode, "Body not read", $"{ex.Message}; send the whole body with a correct Content-Length");
        }
        if (length < 0)
        {
            return TooLarge(options);
        }
        try
        {
            var body = rented.AsMemory(0, length);
            if (!System.Text.Unicode.Utf8.IsValid(body.Span))
            {
                return Problems.Of(StatusCodes.Status400BadRequest, "Not UTF-8", "the body is not valid UTF-8; send UTF-8 text");
            }
            var parsed = kind == "ndjson"
                ? Batch.ParseNdjson(body, options.MaxEventsPerRequest, options.MaxEventBytes)
                : Batch.ParseJson(body, options.MaxEventsPerRequest, options.MaxEventBytes);
            if (parsed.BodyError is { } error)
            {
                return Problems.Of(parsed.TooMany ? StatusCodes.Status413PayloadTooLarge : StatusCodes.Status400BadRequest,
                    "Unreadable body", error);
            }
            if (Access.Forbidden(grant, parsed.Events) is { Count: > 0 } forbidden)
            {
                return Problems.Of(StatusCodes.Status403Forbidden, "Forbidden",
                    $"token \"{grant!.Name}\" may not write the dashboards of events {string.Join(", ", forbidden.Select(e => e.Index))}; nothing was stored",
                    forbidden.ConvertAll(e => new RejectedEvent(e.Index, "dashboard", $"dashboard: {EventRules.Quote(e.Event.Dashboard)} is outside this token's dashboards")));
            }
            if (request.Headers["Pulseboard-Client"].ToString() is { Length: > 0 and <= 64 } client
                && long.TryParse(request.Headers["Pulseboard-Client-Dropped"], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var dropped))
            {
                metrics.ReportClientDrops(client, dropped);
            }
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            var result = await AppendAsync(log, parsed, request.Query["durable"] == "true", request.Query["positions"] == "true", definitions, metrics, cancellationToken).ConfigureAwait(false);
            Record(metrics, parsed, System.Diagnostics.Stopwatch.GetElapsedTime(started));
            return result;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private static async Task<IResult> AppendAsync(IEventLog log, Batch.Parsed parsed, bool durable, bool withPositions, ServedDefinitions definitions, ServerMetrics metrics, CancellationToken cancellationToken)
    {
        var rejected = parsed.Rejected;
        List<int>? unmatched = null;
        var positions = withPositions ? new long[parsed.Count] : null;
        long first = 0, last = 0;
        var accepted = 0;
        if (parsed.Events.Count > 0)
        {
            var events = parsed.Events.ConvertAll(p => p.Event);
            IReadOnlyList<AppendOutcome> outcomes;
            try
            {
                outcomes = await log.AppendAsync(events, durable, cancellationToken).ConfigureAwait(false);
            }
            catch (LogWriteException ex) when (ex.RetryAfter is { } retryAfter)
            {
                return Problems.LogUnavailable(ex, retryAfter, i => parsed.Events[i].Index);
            }
            catch (LogWriteException ex)
            {
                return Problems.Of(ex.Faulted ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status507InsufficientStorage,
                    "The event log cannot store events", ex.Message);
            }
            metrics.CountAppended(events, outcomes, definitions.TakesAny);
            for (var i = 0; i < outcomes.Count; i++)
            {
                var outcome = outcomes[i];
                if (outcome.Error is { } error)
                {
                    rejected.Add(new RejectedEvent(parsed.Events[i].Index, error.Field, error.Message));
                    continue;
                }
                accepted++;
                var (index, e) = parsed.Events[i];
                if (!definitions.TakesAny(e))
                {
                    (unmatched ??= []).Add(index); // a retry is flagged again, but counted once (CountAppended)
                }
                positions?[index] = outcome.Position;
                first = first == 0 ? outcome.Position : Math.Min(first, outcome.Position);
                last = Math.Max(last, outcome.Position);
            }
        }
        rejected.Sort((a, b) => a.Index.CompareTo(b.Index));
        if (accepted == 0)
        {
            var refused = rejected.Select(r => r.Index).Distinct().Count();
            return Problems.Of(StatusCodes.Status400BadRequest, refused == 1 ? "The event is not valid" : "No event was valid",
                refused == 1
                    ? string.Join("; ", rejected.Select(r => r.Message))
                    : $"{refused} events refused; each is listed under errors with its index, field and fix", rejected);
        }
        return TypedResults.Json(new IngestResponse(accepted, rejected, first, last, positions, unmatched), ServerJsonContext.Default.IngestResponse, statusCode: StatusCodes.Status202Accepted);
    }

    private static void Record(ServerMetrics metrics, Batch.Parsed parsed, TimeSpan elapsed)
    {
        metrics.AppendSeconds.Record(elapsed.TotalSeconds);
        metrics.BatchSize.Record(parsed.Count);
        foreach (var group in parsed.Rejected.GroupBy(r => r.Index).GroupBy(g => g.First().Field.Length == 0 ? "event" : g.First().Field, StringComparer.Ordinal))
        {
            metrics.Rejected.Add(group.Count(), new KeyValuePair<string, object?>("reason", group.Key));
        }
    }

    private static IResult TooLarge(ServerOptions options) =>
        Problems.Of(StatusCodes.Status413PayloadTooLarge, "Body too large",
            $"the body is over {options.MaxBodyBytes} bytes; send the events in several requests");

    /// <summary>"json", "ndjson", or null for a type (or charset) the server does not take.</summary>
    private static string? BodyKind(string? contentType)
    {
        if (!MediaTypeHeaderValue.TryParse(contentType, out var type)
            || (type.Charset.HasValue && !type.Charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase)))
        {
            return null;
        }
        return type.MediaType.Value?.ToLowerInvariant() switch
        {
            "application/json" => "json",
            "application/x-ndjson" or "application/ndjson" or "application/jsonl" => "ndjson",
            _ => null,
        };
    }

    /// <summary>Reads the body into a pooled buffer; length -1 when it is over the cap.</summary>
    private static async Task<(byte[] Buffer, int Length)> ReadBodyAsync(HttpRequest request, long max, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent((int)Math.Min(max + 1, Math.Max(request.ContentLength ?? 16 * 1024, 1024)));
        var length = 0;
        try
        {
            while (true)
            {
                if (length == buffer.Length)
                {
                    if (length > max)
                    {
                        return (buffer, -1);
                    }
                    var bigger = ArrayPool<byte>.Shared.Rent((int)Math.Min(max + 1, (long)buffer.Length * 2));
                    buffer.AsSpan(0, length).CopyTo(bigger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = bigger;
                }
                var read = await request.Body.ReadAsync(buffer.AsMemory(length), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    return (buffer, length > max ? -1 : length);
                }
                length += read;
            }
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }
    }
}
