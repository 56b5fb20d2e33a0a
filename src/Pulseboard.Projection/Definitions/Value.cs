using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace Pulseboard.Projection.Definitions;

/// <summary>
/// A value read from an event: text, a number, or a JSON value as the bytes the agent sent (read without building a
/// document); or missing.
/// </summary>
internal readonly partial struct Value
{
    private readonly string? _text;
    private readonly ReadOnlyMemory<byte> _json;
    private readonly double _number;
    private readonly JsonTokenType _token;
    private readonly byte _kind; // 0 missing, 1 text, 2 number, 3 json

    private Value(string? text, ReadOnlyMemory<byte> json, JsonTokenType token, double number, byte kind)
    {
        _text = text;
        _json = json;
        _token = token;
        _number = number;
        _kind = kind;
    }

    /// <summary>No value: the path led nowhere.</summary>
    public static Value Missing => default;

    /// <summary>Whether there is a value.</summary>
    public bool Exists => _kind != 0;

    /// <summary>A text value.</summary>
    public static Value Of(string text) => new(text, default, JsonTokenType.String, 0, 1);

    /// <summary>A number.</summary>
    public static Value Of(long number) => new(null, default, JsonTokenType.Number, number, 2);

    /// <summary>A JSON value (its bytes are copied).</summary>
    public static Value Of(JsonElement json) =>
        json.ValueKind == JsonValueKind.Undefined ? Missing : OfJson(JsonMarshal.GetRawUtf8Value(json).ToArray());

    /// <summary>A JSON value from its UTF-8 bytes, which must hold exactly one valid value.</summary>
    /// <remarks>
    /// The value's first byte says its token (every caller hands a slice that starts at a token, as the reader found
    /// it): read per value per event, so it does not start a reader just to learn what the first byte says.
    /// </remarks>
    internal static Value OfJson(ReadOnlyMemory<byte> utf8)
    {
        var token = utf8.Span[0] switch
        {
            (byte)'"' => JsonTokenType.String,
            (byte)'{' => JsonTokenType.StartObject,
            (byte)'[' => JsonTokenType.StartArray,
            (byte)'t' => JsonTokenType.True,
            (byte)'f' => JsonTokenType.False,
            (byte)'n' => JsonTokenType.Null,
            _ => JsonTokenType.Number,
        };
        return new Value(null, utf8, token, 0, 3);
    }

    /// <summary>
    /// The same value holding its own copy of its JSON bytes, for a section that keeps it: a value read from an event
    /// points into the log's read buffer, which must not live as long as a cache.
    /// </summary>
    public Value Own() => _kind == 3 ? new Value(null, _json.ToArray(), _token, 0, 3) : this;

    /// <summary>The value as a number: a JSON number, or text that is one (<c>"412"</c>, as models often write).</summary>
    public bool TryGetNumber(out double number)
    {
        number = _number;
        switch (_kind)
        {
            case 2:
                return true;
            case 1:
                return double.TryParse(_text, NumberStyles.Float, CultureInfo.InvariantCulture, out number) && double.IsFinite(number);
            case 3 when _token == JsonTokenType.Number:
                return double.TryParse(_json.Span, NumberStyles.Float, CultureInfo.InvariantCulture, out number) && double.IsFinite(number);
            case 3 when _token == JsonTokenType.String:
                return double.TryParse(JsonString(), NumberStyles.Float, CultureInfo.InvariantCulture, out number) && double.IsFinite(number);
            default:
                return false;
        }
    }

    /// <summary>The value as text: strings as they are, numbers and literals as JSON writes them, objects and arrays as compact JSON; missing and null as "".</summary>
    public string ToText() => _kind switch
    {
        1 => _text!,
        2 => _number.ToString(CultureInfo.InvariantCulture),
        3 => _token switch
        {
            JsonTokenType.String => JsonString(),
            JsonTokenType.Null => "",
            JsonTokenType.StartObject or JsonTokenType.StartArray => Compact(Encoding.UTF8.GetString(_json.Span)),
            _ => Encoding.UTF8.GetString(_json.Span),
        },
        _ => "",
    };

    private string JsonString()
    {
        var reader = new Utf8JsonReader(_json.Span);
        reader.Read();
        return reader.GetString()!;
    }

    /// <summary>
    /// Drops the whitespace between tokens: the log stores content as the agent sent it (<c>{ "a" : 1 }</c>), and text
    /// shows it compact. Strings, escapes included, stay as written.
    /// </summary>
    private static string Compact(string raw)
    {
        if (raw.AsSpan().IndexOfAny(" \t\r\n") < 0)
        {
            return raw;
        }
        var text = new System.Text.StringBuilder(raw.Length);
        var inString = false;
        for (var i = 0; i < raw.Length; i++)
        {
            var c = raw[i];
            if (inString)
            {
                text.Append(c);
                if (c == '\\' && i + 1 < raw.Length)
                {
                    text.Append(raw[++i]);
                }
                else if (c == '"')
                {
                    inString = false;
                }
            }
            else if (c == '"')
            {
                inString = true;
                text.Append(c);
            }
            else if (c is not (' ' or '\t' or '\r' or '\n'))
            {
                text.Append(c);
            }
        }
        return text.ToString();
    }

    /// <summary>Writes the value as JSON: strings as strings, numbers as numbers, JSON as it is; missing as null.</summary>
    public void WriteTo(Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        switch (_kind)
        {
            case 1: writer.WriteStringValue(_text); break;
            case 2: writer.WriteNumberValue(_number); break;
            case 3:
                // Written once per cache write, not per event: re-encoded like every other value in the cache.
                using (var document = JsonDocument.Parse(_json))
                {
                    document.RootElement.WriteTo(writer);
                }
                break;
            default: writer.WriteNullValue(); break;
        }
    }
}
