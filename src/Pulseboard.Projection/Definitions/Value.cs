using System.Globalization;
using System.Text.Json;

namespace Pulseboard.Projection.Definitions;

/// <summary>A value read from an event: text, a number, or any JSON; or missing.</summary>
public readonly struct Value
{
    private readonly string? _text;
    private readonly JsonElement _json;
    private readonly double _number;
    private readonly byte _kind; // 0 missing, 1 text, 2 number, 3 json

    private Value(string? text, JsonElement json, double number, byte kind)
    {
        _text = text;
        _json = json;
        _number = number;
        _kind = kind;
    }

    /// <summary>No value: the path led nowhere.</summary>
    public static Value Missing => default;

    /// <summary>Whether there is a value.</summary>
    public bool Exists => _kind != 0;

    /// <summary>A text value.</summary>
    public static Value Of(string text) => new(text, default, 0, 1);

    /// <summary>A number.</summary>
    public static Value Of(long number) => new(null, default, number, 2);

    /// <summary>A JSON value.</summary>
    public static Value Of(JsonElement json) => new(null, json, 0, 3);

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
            case 3 when _json.ValueKind == JsonValueKind.Number:
                return _json.TryGetDouble(out number) && double.IsFinite(number);
            case 3 when _json.ValueKind == JsonValueKind.String:
                return double.TryParse(_json.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out number) && double.IsFinite(number);
            default:
                return false;
        }
    }

    /// <summary>The value as text: strings as they are, numbers and literals as JSON writes them, objects and arrays as compact JSON; missing and null as "".</summary>
    public string ToText() => _kind switch
    {
        1 => _text!,
        2 => _number.ToString(CultureInfo.InvariantCulture),
        3 => _json.ValueKind switch
        {
            JsonValueKind.String => _json.GetString()!,
            JsonValueKind.Null => "",
            JsonValueKind.Object or JsonValueKind.Array => Compact(_json.GetRawText()),
            _ => _json.GetRawText(),
        },
        _ => "",
    };

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
            case 3: _json.WriteTo(writer); break;
            default: writer.WriteNullValue(); break;
        }
    }
}
