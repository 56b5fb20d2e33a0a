using System.Buffers;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Pulseboard.Server.Alerts;

/// <summary>
/// The HTTP request each kind of notifier takes for a notice. Every text in a notice may come from an event, so it is
/// untrusted: JSON-escaped by the writer, Slack's control characters (&amp; &lt; &gt;) escaped so a summary cannot
/// mention @channel or forge a link, and header values kept to printable ASCII (RFC 2047 encoded otherwise).
/// </summary>
internal static class NoticeBodies
{
    /// <summary>The webhook signature header: <c>sha256=</c> and the lowercase hex HMAC-SHA256 of the body under the secret.</summary>
    public const string SignatureHeader = "X-Pulseboard-Signature";

    public static HttpRequestMessage Build(Notifier notifier, AlertNotice notice)
    {
        ArgumentNullException.ThrowIfNull(notifier);
        ArgumentNullException.ThrowIfNull(notice);
        return notifier.Kind switch
        {
            NotifierKind.Webhook => Webhook(notifier, notice),
            NotifierKind.Slack => Json(notifier.Url, Slack(notice)),
            NotifierKind.Ntfy => Ntfy(notifier.Url, notice),
            NotifierKind.Alertmanager => Json(AlertmanagerUrl(notifier.Url), Alertmanager(notice)),
            _ => throw new ArgumentOutOfRangeException(nameof(notifier), notifier.Kind, "unknown notifier kind"),
        };
    }

    /// <summary>Alertmanager's API v2 endpoint under the notifier's base URL.</summary>
    public static Uri AlertmanagerUrl(Uri baseUrl) => new(baseUrl.AbsoluteUri.TrimEnd('/') + "/api/v2/alerts");

    /// <summary><c>sha256=&lt;hex&gt;</c> of <paramref name="body"/> under <paramref name="secret"/>.</summary>
    public static string Signature(string secret, ReadOnlySpan<byte> body) =>
        "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body));

    private static HttpRequestMessage Webhook(Notifier notifier, AlertNotice notice)
    {
        var body = WebhookBody(notice);
        var request = Json(notifier.Url, body);
        if (notifier.Secret is { } secret)
        {
            request.Headers.TryAddWithoutValidation(SignatureHeader, Signature(secret, body));
        }
        return request;
    }

    /// <summary>The webhook body: id, status, alert, dashboard, section, labels, summary, startsAt, endsAt, url.</summary>
    public static byte[] WebhookBody(AlertNotice notice)
    {
        ArgumentNullException.ThrowIfNull(notice);
        return Write(json =>
        {
            json.WriteStartObject();
            json.WriteString("id", notice.Id);
            json.WriteString("status", notice.Status);
            json.WriteString("alert", notice.Alert);
            json.WriteString("dashboard", notice.Dashboard);
            json.WriteString("section", notice.Section);
            WriteLabels(json, "labels", notice.Labels);
            json.WriteString("summary", notice.Summary);
            json.WriteString("startsAt", notice.StartsAt.UtcDateTime);
            if (notice.EndsAt is { } ends)
            {
                json.WriteString("endsAt", ends.UtcDateTime);
            }
            else
            {
                json.WriteNull("endsAt");
            }
            json.WriteString("url", notice.Url);
            json.WriteEndObject();
        });
    }

    /// <summary>A Slack incoming-webhook message: a plain <c>text</c> (the fallback) and one mrkdwn section block.</summary>
    public static byte[] Slack(AlertNotice notice)
    {
        ArgumentNullException.ThrowIfNull(notice);
        var firing = notice.Status == "firing";
        var head = $"{(firing ? ":rotating_light: FIRING" : ":white_check_mark: RESOLVED")} {notice.Alert} on {notice.Dashboard}{(notice.Section is null ? "" : "/" + notice.Section)}";
        var text = $"{head}: {notice.Summary}";
        var link = Uri.TryCreate(notice.Url, UriKind.Absolute, out var page) ? $"\n<{SlackEscape(page.AbsoluteUri)}|Open the dashboard>" : "";
        return Write(json =>
        {
            json.WriteStartObject();
            json.WriteString("text", SlackEscape(text));
            json.WriteStartArray("blocks");
            json.WriteStartObject();
            json.WriteString("type", "section");
            json.WriteStartObject("text");
            json.WriteString("type", "mrkdwn");
            json.WriteString("text", $"*{SlackEscape(head)}*\n{SlackEscape(notice.Summary)}{link}");
            json.WriteEndObject();
            json.WriteEndObject();
            json.WriteEndArray();
            json.WriteEndObject();
        });
    }

    /// <summary>Alertmanager's postable alerts: an array of one <c>{labels, annotations, startsAt, endsAt, generatorURL}</c>.</summary>
    public static byte[] Alertmanager(AlertNotice notice)
    {
        ArgumentNullException.ThrowIfNull(notice);
        var labels = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in notice.Labels)
        {
            labels[LabelName(key)] = value;
        }
        labels["alertname"] = notice.Alert;
        labels["dashboard"] = notice.Dashboard;
        if (notice.Section is { } section)
        {
            labels["section"] = section;
        }
        return Write(json =>
        {
            json.WriteStartArray();
            json.WriteStartObject();
            WriteLabels(json, "labels", labels);
            json.WriteStartObject("annotations");
            json.WriteString("summary", notice.Summary);
            json.WriteString("pulseboard_id", notice.Id);
            json.WriteEndObject();
            json.WriteString("startsAt", notice.StartsAt.UtcDateTime);
            // A firing alert has no end: Alertmanager keeps it until resolve_timeout passes without a resend, or until
            // the resolved notice sets endsAt (a time in the past resolves it).
            if (notice.EndsAt is { } ends)
            {
                json.WriteString("endsAt", ends.UtcDateTime);
            }
            if (Uri.TryCreate(notice.Url, UriKind.Absolute, out var page))
            {
                json.WriteString("generatorURL", page.AbsoluteUri);
            }
            json.WriteEndObject();
            json.WriteEndArray();
        });
    }

    private static HttpRequestMessage Ntfy(Uri url, AlertNotice notice)
    {
        var firing = notice.Status == "firing";
        var request = new HttpRequestMessage(HttpMethod.Post, url)
        {
            Content = new ByteArrayContent(Encoding.UTF8.GetBytes(notice.Summary)),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("text/plain") { CharSet = "utf-8" };
        request.Headers.TryAddWithoutValidation("Title", Header($"[{(firing ? "FIRING" : "RESOLVED")}] {notice.Alert} on {notice.Dashboard}"));
        request.Headers.TryAddWithoutValidation("Priority", firing ? "high" : "default");
        request.Headers.TryAddWithoutValidation("Tags", firing ? "rotating_light,pulseboard" : "white_check_mark,pulseboard");
        if (Uri.TryCreate(notice.Url, UriKind.Absolute, out var page))
        {
            request.Headers.TryAddWithoutValidation("Click", page.AbsoluteUri);
        }
        return request;
    }

    private static HttpRequestMessage Json(Uri url, byte[] body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return request;
    }

    private static void WriteLabels(Utf8JsonWriter json, string name, IEnumerable<KeyValuePair<string, string>> labels)
    {
        json.WriteStartObject(name);
        foreach (var (key, value) in labels)
        {
            json.WriteString(key, value);
        }
        json.WriteEndObject();
    }

    private static byte[] Write(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var json = new Utf8JsonWriter(buffer))
        {
            write(json);
        }
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>A Prometheus label name: <c>[a-zA-Z_][a-zA-Z0-9_]*</c>, other characters as <c>_</c>.</summary>
    private static string LabelName(string key)
    {
        var chars = key.ToCharArray();
        for (var i = 0; i < chars.Length; i++)
        {
            if (!(char.IsAsciiLetter(chars[i]) || chars[i] == '_' || (i > 0 && char.IsAsciiDigit(chars[i]))))
            {
                chars[i] = '_';
            }
        }
        return chars.Length == 0 ? "_" : new string(chars);
    }

    private static string SlackEscape(string text) =>
        text.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal);

    /// <summary>A header value: printable ASCII as it is, anything else as an RFC 2047 UTF-8 encoded word (ntfy decodes those).</summary>
    private static string Header(string text)
    {
        var printable = text.All(c => c is >= ' ' and <= '~');
        return printable ? text : "=?UTF-8?B?" + Convert.ToBase64String(Encoding.UTF8.GetBytes(new string(text.Where(c => !char.IsControl(c)).ToArray()))) + "?=";
    }
}
