using System.IO.Compression;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Pulseboard.Log;
using Pulseboard.Server.Auth;
using Pulseboard.Server.Metrics;

namespace Pulseboard.Server.Compat;

/// <summary>
/// Pushgateway-style pushes: <c>PUT|POST /metrics/job/{job}{/label/value}…</c> with the Prometheus text format, each
/// sample one event in section <c>metrics</c> of the checks dashboard (action the metric name, source the job,
/// content <c>{value, shown, labels}</c>, see <see cref="CheckEvents.Sample"/>); <c>DELETE</c> of a group records a <c>group-deleted</c> event.
/// </summary>
/// <remarks>
/// Answers as the Pushgateway does: 200 with an empty body for a push, 202 for a delete, 400 with the reason for a
/// malformed one (here as problem JSON). <c>@base64</c> after the job or a label name means its value is base64url
/// (padding optional, <c>=</c> for an empty value); the grouping labels overwrite the same labels in the body; a
/// gzip body (<c>Content-Encoding: gzip</c>) is taken. Events are stored all or none. <c>GET /metrics</c> stays
/// Pulseboard's own exposition.
/// </remarks>
internal static class PushgatewayEndpoints
{
    private const string Usage = "push to /metrics/job/<job>{/<label>/<value>}, with <label>@base64/<base64url> for a value holding a /";

    public static IEndpointRouteBuilder MapPushgatewayEndpoints(this IEndpointRouteBuilder app)
    {
        string[] methods = [HttpMethods.Put, HttpMethods.Post, HttpMethods.Delete];
        app.MapMethods("/metrics/job/{**path}", methods, (HttpRequest request, string? path, [AsParameters] CompatServices services, CancellationToken cancellationToken) =>
            PushAsync(request, "job", path, services, cancellationToken));
        app.MapMethods("/metrics/job@base64/{**path}", methods, (HttpRequest request, string? path, [AsParameters] CompatServices services, CancellationToken cancellationToken) =>
            PushAsync(request, "job@base64", path, services, cancellationToken));
        return app;
    }

    private static async Task<IResult> PushAsync(HttpRequest request, string jobLabel, string? path, CompatServices services, CancellationToken cancellationToken)
    {
        var (options, tokens) = (services.Options, services.Tokens);
        if (CompatWrites.Authorize(request, tokens, options.ChecksDashboard, null) is { } denied)
        {
            return denied;
        }
        var segments = new List<string> { jobLabel };
        segments.AddRange(CompatWrites.Segments(path));
        if (Grouping(segments, out var problem) is not { } grouping)
        {
            return Problems.Of(StatusCodes.Status400BadRequest, "Not a grouping key", problem!);
        }
        var job = grouping[0].Value;
        var labels = grouping.Skip(1).ToList();
        var dashboard = options.ChecksDashboard;
        List<Event> events;
        if (HttpMethods.IsDelete(request.Method))
        {
            events = [CheckEvents.Deleted(dashboard, job, labels)];
        }
        else
        {
            if (request.ContentType?.Contains("protobuf", StringComparison.OrdinalIgnoreCase) == true)
            {
                return Problems.Of(StatusCodes.Status415UnsupportedMediaType, "Unsupported content type",
                    "send the Prometheus text format (text/plain; version=0.0.4), not protocol buffers");
            }
            var (body, tooLarge) = await CompatWrites.ReadBodyAsync(request, options.MaxBodyBytes,
                $"the body is over {options.MaxBodyBytes} bytes; push the metrics in several groups", cancellationToken).ConfigureAwait(false);
            if (tooLarge is not null)
            {
                return tooLarge;
            }
            if (string.Equals(request.Headers.ContentEncoding, "gzip", StringComparison.OrdinalIgnoreCase))
            {
                if (Gunzip(body!, options.MaxBodyBytes) is not { } inflated)
                {
                    return Problems.Of(StatusCodes.Status400BadRequest, "Not gzip",
                        $"the body is not gzip, or inflates past {options.MaxBodyBytes} bytes; send it compressed with gzip, or drop Content-Encoding");
                }
                body = inflated;
            }
            if (!System.Text.Unicode.Utf8.IsValid(body))
            {
                return Problems.Of(StatusCodes.Status400BadRequest, "Not UTF-8", "the body is not valid UTF-8; send the text format in UTF-8");
            }
            var (samples, error) = PrometheusText.Parse(Encoding.UTF8.GetString(body!), options.MaxEventsPerRequest);
            if (error is not null)
            {
                return Problems.Of(StatusCodes.Status400BadRequest, "Malformed exposition", $"{error}; the body is the Prometheus text format, e.g. some_metric{{label=\"x\"}} 3.14");
            }
            if (samples.Count == 0 && HttpMethods.IsPut(request.Method))
            {
                events = [CheckEvents.Deleted(dashboard, job, labels)]; // a PUT of nothing empties the group
            }
            else
            {
                events = samples.ConvertAll(s => CheckEvents.Sample(dashboard, job, s.Name, s.Value, Merge(s.Labels, labels)));
                if (CompatWrites.Check(events, i => $"sample {i + 1} ({samples[i].Name})") is { } invalid)
                {
                    return invalid;
                }
            }
        }
        if (CompatWrites.Check(events, _ => $"job {job}") is { } refused)
        {
            return refused;
        }
        if (await CompatWrites.AppendAsync(services, events, cancellationToken).ConfigureAwait(false) is { } failed)
        {
            return failed;
        }
        return HttpMethods.IsDelete(request.Method) ? TypedResults.Accepted((string?)null) : TypedResults.Ok();
    }

    /// <summary>The grouping key of the path's segments (<c>job</c> first), decoding <c>@base64</c> values; null with a message when malformed.</summary>
    private static List<KeyValuePair<string, string>>? Grouping(List<string> segments, out string? problem)
    {
        problem = null;
        if (segments.Count % 2 != 0)
        {
            problem = $"the path has a label without a value ({EventRules.Quote(segments[^1])}); {Usage}";
            return null;
        }
        var grouping = new List<KeyValuePair<string, string>>();
        for (var i = 0; i < segments.Count; i += 2)
        {
            var name = segments[i];
            var value = segments[i + 1];
            if (name.EndsWith("@base64", StringComparison.Ordinal))
            {
                name = name[..^"@base64".Length];
                if (Base64Url(value) is not { } decoded)
                {
                    problem = $"the value of {name}@base64 is not base64url (RFC 4648 §5): {EventRules.Quote(value)}";
                    return null;
                }
                value = decoded;
            }
            if (!PrometheusText.IsLabelName(name))
            {
                problem = $"{EventRules.Quote(name)} is not a label name ([a-zA-Z_][a-zA-Z0-9_]*); {Usage}";
                return null;
            }
            if (grouping.Exists(g => g.Key == name))
            {
                problem = $"label {name} is given twice in the path";
                return null;
            }
            grouping.Add(new(name, value));
        }
        if (grouping[0].Value.Length == 0)
        {
            problem = "the job is empty; name it: /metrics/job/<job>";
            return null;
        }
        return grouping;
    }

    /// <summary>The sample's labels with the grouping labels (job left out: it is the source) put over them.</summary>
    private static List<KeyValuePair<string, string>> Merge(List<KeyValuePair<string, string>> sample, List<KeyValuePair<string, string>> grouping)
    {
        var merged = sample.Where(l => l.Key != "job" && !grouping.Exists(g => g.Key == l.Key)).ToList();
        merged.AddRange(grouping);
        return merged;
    }

    private static string? Base64Url(string value)
    {
        var text = value.Replace('-', '+').Replace('_', '/').TrimEnd('=');
        text = text.PadRight(text.Length + ((4 - (text.Length % 4)) % 4), '=');
        var bytes = new byte[text.Length];
        return Convert.TryFromBase64String(text, bytes, out var written) && System.Text.Unicode.Utf8.IsValid(bytes.AsSpan(0, written))
            ? Encoding.UTF8.GetString(bytes, 0, written)
            : null;
    }

    private static byte[]? Gunzip(byte[] body, long max)
    {
        try
        {
            using var input = new GZipStream(new MemoryStream(body), CompressionMode.Decompress);
            using var output = new MemoryStream();
            var buffer = new byte[16 * 1024];
            int read;
            while ((read = input.Read(buffer)) > 0)
            {
                if (output.Length + read > max)
                {
                    return null;
                }
                output.Write(buffer, 0, read);
            }
            return output.ToArray();
        }
        catch (InvalidDataException)
        {
            return null;
        }
    }
}
