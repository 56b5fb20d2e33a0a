using System.Buffers;
using System.Text.Json;

namespace Pulseboard.Server.Alerts;

/// <summary>
/// The lines of <c>&lt;data&gt;/alerts/outbox.jsonl</c>: a notice as it was enqueued,
/// <c>{"n":1,"at":"…","notice":{…}}</c>, and a delivery mark, <c>{"done":1,"notifier":"team","outcome":"delivered"}</c>.
/// A notice is pending for each notifier it names until a mark says that notifier is done with it.
/// </summary>
internal static class OutboxFormat
{
    /// <summary>One line read back: a notice (with its number and when it was enqueued) or a mark.</summary>
    internal readonly record struct Line(long N, DateTimeOffset At, AlertNotice? Notice, string? Notifier, string? Outcome);

    public static byte[] NoticeLine(long n, DateTimeOffset at, AlertNotice notice) => Write(json =>
    {
        json.WriteStartObject();
        json.WriteNumber("n", n);
        json.WriteString("at", at);
        json.WriteStartObject("notice");
        json.WriteString("id", notice.Id);
        json.WriteString("status", notice.Status);
        json.WriteString("alert", notice.Alert);
        json.WriteString("dashboard", notice.Dashboard);
        json.WriteString("section", notice.Section);
        json.WriteStartObject("labels");
        foreach (var (key, value) in notice.Labels)
        {
            json.WriteString(key, value);
        }
        json.WriteEndObject();
        json.WriteString("summary", notice.Summary);
        json.WriteString("startsAt", notice.StartsAt);
        if (notice.EndsAt is { } ends)
        {
            json.WriteString("endsAt", ends);
        }
        json.WriteString("url", notice.Url);
        json.WriteStartArray("notify");
        foreach (var name in notice.Notify)
        {
            json.WriteStringValue(name);
        }
        json.WriteEndArray();
        json.WriteEndObject();
        json.WriteEndObject();
    });

    public static byte[] MarkLine(long n, string notifier, string outcome) => Write(json =>
    {
        json.WriteStartObject();
        json.WriteNumber("done", n);
        json.WriteString("notifier", notifier);
        json.WriteString("outcome", outcome);
        json.WriteEndObject();
    });

    /// <summary>Reads one line; null when it is not a line this format writes (a torn tail, or damage).</summary>
    public static Line? TryRead(ReadOnlySpan<byte> line)
    {
        try
        {
            var reader = new Utf8JsonReader(line);
            using var document = JsonDocument.ParseValue(ref reader);
            var root = document.RootElement;
            if (root.TryGetProperty("done", out var done))
            {
                return new Line(done.GetInt64(), default, null, root.GetProperty("notifier").GetString(), root.GetProperty("outcome").GetString());
            }
            var n = root.GetProperty("n").GetInt64();
            var at = root.GetProperty("at").GetDateTimeOffset();
            var notice = root.GetProperty("notice");
            var labels = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var label in notice.GetProperty("labels").EnumerateObject())
            {
                labels[label.Name] = label.Value.GetString()!;
            }
            var section = notice.GetProperty("section");
            var ends = notice.TryGetProperty("endsAt", out var endsAt) ? endsAt.GetDateTimeOffset() : (DateTimeOffset?)null;
            return new Line(n, at, new AlertNotice(
                notice.GetProperty("id").GetString()!,
                notice.GetProperty("status").GetString()!,
                notice.GetProperty("alert").GetString()!,
                notice.GetProperty("dashboard").GetString()!,
                section.ValueKind == JsonValueKind.Null ? null : section.GetString(),
                labels,
                notice.GetProperty("summary").GetString()!,
                notice.GetProperty("startsAt").GetDateTimeOffset(),
                ends,
                notice.GetProperty("url").GetString()!,
                notice.GetProperty("notify").EnumerateArray().Select(e => e.GetString()!).ToList()), null, null);
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            return null;
        }
    }

    private static byte[] Write(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var json = new Utf8JsonWriter(buffer))
        {
            write(json);
        }
        buffer.Write("\n"u8);
        return buffer.WrittenSpan.ToArray();
    }
}
