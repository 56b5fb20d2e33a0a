using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Pulseboard.Projection.Definitions;
using Pulseboard.Server.Auth;

namespace Pulseboard.Server.Alerts;

/// <summary>
/// <c>GET /api/alerts</c> (firing, silenced ones marked, each with the node that notifies), and the silences: <c>GET</c>/<c>POST /api/silences</c>,
/// <c>DELETE /api/silences/{id}</c>. Reading takes a read token when reading needs one; silencing, a write token (a
/// token scoped to some dashboards may silence only those, by name).
/// </summary>
internal static class AlertEndpoints
{
    private static readonly string[] s_silenceKeys = ["alert", "dashboard", "labels", "endsAt", "duration", "comment"];
    private const int MaxBodyBytes = 64 * 1024;

    /// <summary>The node that answered <c>GET /api/alerts</c>.</summary>
    public const string NodeHeader = "Pulseboard-Node";

    /// <summary>The node that sends alert notices (the alert lease's holder); absent while none holds it.</summary>
    public const string NotifierHeader = "Pulseboard-Alert-Notifier";

    public static IEndpointRouteBuilder MapAlertEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/alerts", (HttpRequest request, AlertEngine alerts, INotifyingLease lease, Tokens tokens, string? dashboard) =>
        {
            if (Access.Reader(request, tokens) is { } denied)
            {
                return denied;
            }
            // Who sends the notices, on each alert and in headers (seen with no alert firing too): with several nodes
            // on one stream, any node answers and one of them notifies.
            var holder = lease.State.Holder;
            request.HttpContext.Response.Headers[NodeHeader] = lease.Node;
            if (holder is not null)
            {
                request.HttpContext.Response.Headers[NotifierHeader] = holder;
            }
            return TypedResults.Json<IReadOnlyList<AlertView>>(
                [.. alerts.Firing.Where(a => dashboard is null || a.Dashboard == dashboard).Select(a => a with { NotifiedBy = holder })],
                AlertJsonContext.Default.IReadOnlyListAlertView);
        });
        app.MapGet("/api/silences", (HttpRequest request, SilenceStore silences, Tokens tokens) =>
            Access.Reader(request, tokens) ?? TypedResults.Json([.. silences.Active], AlertJsonContext.Default.ListSilence));
        app.MapPost("/api/silences", AddAsync);
        app.MapDelete("/api/silences/{id}", (string id, HttpRequest request, SilenceStore silences, AlertEngine alerts, Tokens tokens) =>
        {
            if (Access.Writer(request, tokens, out var grant) is { } denied)
            {
                return denied;
            }
            // Removing a silence takes what adding it took: a token for every dashboard, or one that covers the
            // silence's (literal) dashboard. Otherwise one team's token could lift another's silences.
            if (grant is not null && !grant.Dashboards.Any(g => g.Pattern == "*")
                && silences.Active.FirstOrDefault(s => s.Id == id) is { } silence
                && (silence.Dashboard is null || !new Glob(silence.Dashboard).IsLiteral || !grant.Dashboards.Any(g => g.IsMatch(silence.Dashboard))))
            {
                return Problems.Of(StatusCodes.Status403Forbidden, "Forbidden",
                    $"token \"{grant.Name}\" may remove only silences of the dashboards it may write ({string.Join(", ", grant.Dashboards.Select(g => g.Pattern))})");
            }
            if (!silences.RemoveDurably(id))
            {
                return Problems.Of(StatusCodes.Status404NotFound, "No such silence", $"there is no active silence {EventRules.Quote(id)}; GET /api/silences lists them");
            }
            alerts.Wake();
            return TypedResults.NoContent();
        });
        return app;
    }

    private static async Task<IResult> AddAsync(HttpRequest request, SilenceStore silences, AlertEngine alerts, Tokens tokens, TimeProvider time)
    {
        if (Access.Writer(request, tokens, out var grant) is { } denied)
        {
            return denied;
        }
        var (body, tooLarge) = await Compat.CompatWrites.ReadBodyAsync(request, MaxBodyBytes,
            $"the body is larger than {MaxBodyBytes} bytes; a silence is a small JSON object", request.HttpContext.RequestAborted).ConfigureAwait(false);
        if (tooLarge is not null)
        {
            return tooLarge;
        }
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body);
        }
        catch (JsonException ex)
        {
            return Bad("", $"the body is not JSON ({ex.Message.Split(" Path:")[0]}); send {{\"alert\": \"model-down\", \"dashboard\": \"fleet\", \"labels\": {{\"source\": \"llama-3\"}}, \"duration\": \"2h\"}}");
        }
        using (document)
        {
            var result = Read(document.RootElement, time.GetUtcNow(), grant, out var silence);
            if (result is not null)
            {
                return result;
            }
            silences.AddDurably(silence!);
            alerts.Wake();
            request.HttpContext.Response.Headers.Location = $"/api/silences/{silence!.Id}";
            return TypedResults.Json(silence, AlertJsonContext.Default.Silence, statusCode: StatusCodes.Status201Created);
        }
    }

    /// <summary>Reads a silence from the body; null when it is good, else the 400 (or 403) naming the field.</summary>
    private static IResult? Read(JsonElement root, DateTimeOffset now, TokenGrant? grant, out Silence? silence)
    {
        silence = null;
        if (root.ValueKind != JsonValueKind.Object)
        {
            return Bad("", "the body must be a JSON object with alert, dashboard and/or labels, and endsAt or duration");
        }
        foreach (var property in root.EnumerateObject())
        {
            if (!s_silenceKeys.Contains(property.Name))
            {
                return Bad(property.Name, $"{EventRules.Quote(property.Name)} is not a field of a silence; it takes {string.Join(", ", s_silenceKeys)}");
            }
        }
        if (!Glob(root, "alert", out var alert, out var problem) || !Glob(root, "dashboard", out var dashboard, out problem))
        {
            return problem;
        }
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        if (root.TryGetProperty("labels", out var labelsNode))
        {
            if (labelsNode.ValueKind != JsonValueKind.Object)
            {
                return Bad("labels", "must be an object of label names to values (globs), like {\"source\": \"llama-*\"}");
            }
            foreach (var label in labelsNode.EnumerateObject())
            {
                if (label.Value.ValueKind != JsonValueKind.String || !EventRules.IsName(label.Name))
                {
                    return Bad($"labels.{label.Name}", $"must be a text (a glob) under a label name ({EventRules.NamePattern}), like \"source\": \"llama-3\"");
                }
                labels[label.Name] = label.Value.GetString()!;
            }
        }
        if (alert is null && dashboard is null && labels.Count == 0)
        {
            return Bad("", "a silence needs at least one matcher: alert, dashboard or labels (a silence of everything is not one)");
        }
        var hasEnd = root.TryGetProperty("endsAt", out var endsNode);
        var hasDuration = root.TryGetProperty("duration", out var durationNode);
        DateTimeOffset endsAt;
        if (hasEnd == hasDuration)
        {
            return Bad(hasEnd ? "duration" : "endsAt", "give exactly one of endsAt (RFC 3339, e.g. 2026-12-01T18:00:00Z) and duration (e.g. 2h)");
        }
        if (hasEnd)
        {
            if (endsNode.ValueKind != JsonValueKind.String || !endsNode.TryGetDateTimeOffset(out endsAt))
            {
                return Bad("endsAt", "must be an RFC 3339 time with its offset, e.g. 2026-12-01T18:00:00Z");
            }
            if (endsAt <= now)
            {
                return Bad("endsAt", $"{endsAt:O} has passed (the server's time is {now:O}); give a time to come");
            }
        }
        else
        {
            if (durationNode.ValueKind != JsonValueKind.String || !Durations.TryParse(durationNode.GetString()!, out var duration))
            {
                return Bad("duration", $"must be {Durations.Hint}");
            }
            endsAt = now + duration;
        }
        if (endsAt - now > TimeSpan.FromDays(366))
        {
            return Bad(hasEnd ? "endsAt" : "duration", "a silence lasts at most a year; to stop an alert for good, remove it from its definition");
        }
        string? comment = null;
        if (root.TryGetProperty("comment", out var commentNode))
        {
            if (commentNode.ValueKind != JsonValueKind.String || commentNode.GetString()!.Length > 500)
            {
                return Bad("comment", "must be a text of at most 500 characters");
            }
            comment = commentNode.GetString();
        }
        if (grant is not null && !grant.Dashboards.Any(g => g.Pattern == "*")
            && (dashboard is null || !new Glob(dashboard).IsLiteral || !grant.Dashboards.Any(g => g.IsMatch(dashboard))))
        {
            return Problems.Of(StatusCodes.Status403Forbidden, "Forbidden",
                $"token \"{grant.Name}\" may silence only the dashboards it may write ({string.Join(", ", grant.Dashboards.Select(g => g.Pattern))}): name one in dashboard");
        }
        silence = new Silence(Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8)), alert, dashboard, labels, now, endsAt, comment);
        return null;
    }

    private static bool Glob(JsonElement root, string key, out string? value, out IResult? problem)
    {
        value = null;
        problem = null;
        if (!root.TryGetProperty(key, out var node))
        {
            return true;
        }
        var text = node.ValueKind == JsonValueKind.String ? node.GetString()! : null;
        var literal = text?.Replace("*", "", StringComparison.Ordinal).Replace("?", "", StringComparison.Ordinal);
        if (text is null || text.Length == 0 || (literal!.Length > 0 && !EventRules.IsName(literal)))
        {
            problem = Bad(key, $"must be the {key}'s name or a glob of it (* and ? as wildcards), like \"{(key == "alert" ? "model-down" : "fleet")}\"");
            return false;
        }
        value = text;
        return true;
    }

    private static Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult Bad(string field, string detail) =>
        TypedResults.Problem(field.Length == 0 ? detail : $"{field}: {detail}", statusCode: StatusCodes.Status400BadRequest, title: "Bad silence",
            extensions: new Dictionary<string, object?> { ["field"] = field });
}
