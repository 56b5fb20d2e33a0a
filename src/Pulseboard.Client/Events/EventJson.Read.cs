using System.Globalization;
using System.Text.Json;
using System.Text.Unicode;

namespace Pulseboard;

/// <summary>Reads and writes events in their JSON wire format, straight from and to UTF-8.</summary>
/// <remarks>Stateless and thread-safe.</remarks>
internal static partial class EventJson
{
    private const string FieldList = "dashboard, section, action, content, priority, timestamp, source, id";

    private static readonly JsonDocumentOptions s_contentOptions = new() { AllowDuplicateProperties = false, MaxDepth = 64 };

    /// <summary>
    /// Parses one event from UTF-8 JSON and checks every rule of the contract, collecting every problem.
    /// </summary>
    /// <param name="utf8">The event's JSON: one object.</param>
    /// <param name="errors">Receives each rule broken, each naming its field.</param>
    /// <param name="maxEventBytes">The largest event accepted, in bytes.</param>
    /// <returns>The event, or null when <paramref name="errors"/> received anything.</returns>
    public static Event? Parse(ReadOnlySpan<byte> utf8, ICollection<EventError> errors, int maxEventBytes = EventRules.DefaultMaxEventBytes)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (utf8.Length > maxEventBytes)
        {
            errors.Add(EventRules.TooLarge(utf8.Length, maxEventBytes));
            return null;
        }
        if (!Utf8.IsValid(utf8))
        {
            errors.Add(new EventError("", $"event: not valid UTF-8 (first bad byte at offset {FirstInvalidUtf8(utf8)}); send UTF-8 text"));
            return null;
        }
        var before = errors.Count;
        var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { MaxDepth = 64 });
        var fields = new Fields();
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                errors.Add(new EventError("", $"event: must be a JSON object, not {Describe(reader.TokenType)}"));
                return null;
            }
            ReadProperties(ref reader, utf8, ref fields, errors);
            if (reader.Read())
            {
                errors.Add(new EventError("", $"event: unexpected data after the object at byte {reader.TokenStartIndex}; send one event per object"));
            }
        }
        catch (JsonException ex)
        {
            errors.Add(new EventError("", $"event: malformed JSON at byte {reader.BytesConsumed}: {TrimJsonMessage(ex.Message)}"));
            return null;
        }
        Require(fields.Dashboard, "dashboard", errors, EventRules.NotSlug);
        Require(fields.Section, "section", errors, EventRules.NotSlug);
        Require(fields.Action, "action", errors, EventRules.NotName);
        if (errors.Count > before)
        {
            return null;
        }
        var e = new Event
        {
            Dashboard = fields.Dashboard!,
            Section = fields.Section!,
            Action = fields.Action!,
            Content = fields.Content,
            Priority = fields.Priority,
            Timestamp = fields.Timestamp,
            Source = fields.Source,
            Id = fields.Id,
        };
        if (EventRules.Check(e) is { } error)
        {
            errors.Add(error);
            return null;
        }
        return e;
    }

    private static void Require(string? value, string field, ICollection<EventError> errors, Func<string, string?, EventError> missing)
    {
        if (value is null && !errors.Any(x => x.Field == field))
        {
            errors.Add(missing(field, null));
        }
    }

    private static void ReadProperties(ref Utf8JsonReader reader, ReadOnlySpan<byte> utf8, ref Fields fields, ICollection<EventError> errors)
    {
        var seen = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var field = FieldOf(ref reader);
            var unknown = field == Field.Unknown ? reader.GetString()! : null;
            reader.Read();
            if (unknown is not null)
            {
                reader.Skip();
                errors.Add(new EventError(unknown, $"{EventRules.Quote(unknown)}: unknown field; an event has {FieldList}"));
                continue;
            }
            if ((seen & (1 << (int)field)) != 0)
            {
                reader.Skip();
                errors.Add(new EventError(Name(field), $"{Name(field)}: appears twice; send each field once"));
                continue;
            }
            seen |= 1 << (int)field;
            ReadField(ref reader, utf8, field, ref fields, errors);
        }
    }

    private static void ReadField(ref Utf8JsonReader reader, ReadOnlySpan<byte> utf8, Field field, ref Fields fields, ICollection<EventError> errors)
    {
        var name = Name(field);
        if (field == Field.Content)
        {
            var start = (int)reader.TokenStartIndex;
            reader.Skip();
            var end = (int)reader.BytesConsumed;
            fields.Content = ParseContent(utf8[start..end], errors);
            return;
        }
        if (reader.TokenType == JsonTokenType.Null && field is not (Field.Dashboard or Field.Section or Field.Action))
        {
            return; // An optional field sent as null is absent.
        }
        if (reader.TokenType != JsonTokenType.String)
        {
            errors.Add(new EventError(name, $"{name}: must be a string, not {Describe(reader.TokenType)}"));
            reader.Skip();
            return;
        }
        switch (field)
        {
            case Field.Priority:
                if (!PriorityNames.TryParse(reader.ValueSpan, out fields.Priority) || reader.ValueIsEscaped)
                {
                    errors.Add(EventRules.NotPriority(reader.GetString()!));
                }
                return;
            case Field.Timestamp:
                var text = reader.GetString()!;
                if (TryParseTimestamp(text, out var timestamp))
                {
                    fields.Timestamp = timestamp;
                }
                else
                {
                    errors.Add(new EventError("timestamp", $"timestamp: {EventRules.Quote(text)} is not an RFC 3339 date-time; write it like 2026-11-22T14:03:00Z or 2026-11-22T15:03:00.25+01:00"));
                }
                return;
        }
        var value = reader.GetString()!;
        switch (field)
        {
            case Field.Dashboard: fields.Dashboard = Checked(value, name, EventRules.IsSlug(value), errors, EventRules.NotSlug); break;
            case Field.Section: fields.Section = Checked(value, name, EventRules.IsSlug(value), errors, EventRules.NotSlug); break;
            case Field.Action: fields.Action = Checked(value, name, EventRules.IsName(value), errors, EventRules.NotName); break;
            case Field.Source: fields.Source = Checked(value, name, EventRules.IsName(value), errors, EventRules.NotName); break;
            case Field.Id:
                if (value.Length is 0 or > EventRules.MaxIdLength)
                {
                    errors.Add(new EventError("id", $"id: must be 1 to {EventRules.MaxIdLength} characters long, not {value.Length}"));
                }
                fields.Id = value;
                break;
        }
    }

    private static string Checked(string value, string field, bool ok, ICollection<EventError> errors, Func<string, string?, EventError> error)
    {
        if (!ok)
        {
            errors.Add(error(field, value));
        }
        return value;
    }

    private static JsonElement ParseContent(ReadOnlySpan<byte> json, ICollection<EventError> errors)
    {
        try
        {
            return JsonElement.Parse(json, s_contentOptions); // one copy, owned by the element; no pooled document to return
        }
        catch (JsonException ex)
        {
            errors.Add(new EventError("content", $"content: {TrimJsonMessage(ex.Message)}"));
            return default;
        }
    }

    /// <summary>Parses an RFC 3339 date-time: <c>2026-11-22T14:03:00Z</c>, fractions up to 7 digits, an offset or Z.</summary>
    public static bool TryParseTimestamp(string text, out DateTimeOffset value)
    {
        value = default;
        ReadOnlySpan<char> s = text;
        // yyyy-MM-ddTHH:mm:ss[.f{1,7}](Z|±hh:mm), T and Z in either case (RFC 3339 section 5.6).
        if (s.Length < 20 || !Digits(s[..4]) || s[4] != '-' || !Digits(s.Slice(5, 2)) || s[7] != '-' || !Digits(s.Slice(8, 2))
            || s[10] is not ('T' or 't') || !Digits(s.Slice(11, 2)) || s[13] != ':' || !Digits(s.Slice(14, 2))
            || s[16] != ':' || !Digits(s.Slice(17, 2)))
        {
            return false;
        }
        var rest = s[19..];
        if (rest[0] == '.')
        {
            var digits = 1;
            while (digits < rest.Length && char.IsAsciiDigit(rest[digits]))
            {
                digits++;
            }
            if (digits is 1 or > 8)
            {
                return false;
            }
            rest = rest[digits..];
        }
        var zone = rest is ['Z' or 'z'] ||
            rest is ['+' or '-', _, _, ':', _, _] && Digits(rest.Slice(1, 2)) && Digits(rest.Slice(4, 2));
        return zone && DateTimeOffset.TryParse(text.ToUpperInvariant(), CultureInfo.InvariantCulture, DateTimeStyles.None, out value);
    }

    private static bool Digits(ReadOnlySpan<char> s) => !s.ContainsAnyExceptInRange('0', '9');

    private static int FirstInvalidUtf8(ReadOnlySpan<byte> utf8)
    {
        var status = Utf8.ToUtf16(utf8, new char[utf8.Length], out var read, out _, replaceInvalidSequences: false);
        return status == System.Buffers.OperationStatus.Done ? -1 : read;
    }

    private static string Describe(JsonTokenType token) => token switch
    {
        JsonTokenType.StartArray => "an array",
        JsonTokenType.StartObject => "an object",
        JsonTokenType.String => "a string",
        JsonTokenType.Number => "a number",
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        JsonTokenType.Null => "null",
        _ => "nothing",
    };

    private static string TrimJsonMessage(string message)
    {
        // System.Text.Json appends "Path: $ | LineNumber: 0 | BytePositionInLine: 12." which means nothing to a sender.
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        return cut > 0 ? message[..cut] : message;
    }

    private enum Field
    {
        Unknown,
        Dashboard,
        Section,
        Action,
        Content,
        Priority,
        Timestamp,
        Source,
        Id,
    }

    private static Field FieldOf(ref Utf8JsonReader reader)
    {
        if (reader.ValueIsEscaped)
        {
            return reader.ValueTextEquals("dashboard"u8) ? Field.Dashboard : reader.ValueTextEquals("section"u8) ? Field.Section
                : reader.ValueTextEquals("action"u8) ? Field.Action : reader.ValueTextEquals("content"u8) ? Field.Content
                : reader.ValueTextEquals("priority"u8) ? Field.Priority : reader.ValueTextEquals("timestamp"u8) ? Field.Timestamp
                : reader.ValueTextEquals("source"u8) ? Field.Source : reader.ValueTextEquals("id"u8) ? Field.Id : Field.Unknown;
        }
        var name = reader.ValueSpan;
        return name switch
        {
            _ when name.SequenceEqual("dashboard"u8) => Field.Dashboard,
            _ when name.SequenceEqual("section"u8) => Field.Section,
            _ when name.SequenceEqual("action"u8) => Field.Action,
            _ when name.SequenceEqual("content"u8) => Field.Content,
            _ when name.SequenceEqual("priority"u8) => Field.Priority,
            _ when name.SequenceEqual("timestamp"u8) => Field.Timestamp,
            _ when name.SequenceEqual("source"u8) => Field.Source,
            _ when name.SequenceEqual("id"u8) => Field.Id,
            _ => Field.Unknown,
        };
    }

    private static string Name(Field field) => field switch
    {
        Field.Dashboard => "dashboard",
        Field.Section => "section",
        Field.Action => "action",
        Field.Content => "content",
        Field.Priority => "priority",
        Field.Timestamp => "timestamp",
        Field.Source => "source",
        Field.Id => "id",
        _ => "",
    };

    private struct Fields
    {
        public string? Dashboard;
        public string? Section;
        public string? Action;
        public JsonElement Content;
        public Priority Priority;
        public DateTimeOffset? Timestamp;
        public string? Source;
        public string? Id;

        public Fields() => Priority = Priority.Normal;
    }
}
