using System.Text;
using System.Text.Json;

namespace Pulseboard.Projection.Definitions;

internal readonly partial struct Value
{
    /// <summary>The longest a value is shown in <see cref="ToReadableText"/>, "…" included.</summary>
    internal const int MaxReadableValue = 80;

    /// <summary>The longest <see cref="ToReadableText"/> is, "…" included.</summary>
    internal const int MaxReadableText = 300;

    /// <summary>Whether the value is a JSON object.</summary>
    internal bool IsObject => _kind == 3 && _token == JsonTokenType.StartObject;

    /// <summary>
    /// The value as short text a person reads: an object as its top-level entries, <c>key: value</c> joined by
    /// <c>" · "</c> (<c>run: r7 · status: done</c>), strings without quotes, nested objects and arrays as compact
    /// JSON, each value cut to 80 characters and the whole to 300, with "…"; anything else as <see cref="ToText"/>.
    /// </summary>
    public string ToReadableText()
    {
        if (!IsObject)
        {
            return ToText();
        }
        var text = new StringBuilder();
        var reader = new Utf8JsonReader(_json.Span);
        reader.Read();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName && text.Length <= MaxReadableText)
        {
            var key = reader.GetString();
            reader.Read();
            string value;
            switch (reader.TokenType)
            {
                case JsonTokenType.StartObject or JsonTokenType.StartArray:
                    var start = (int)reader.TokenStartIndex;
                    reader.Skip();
                    value = Compact(Encoding.UTF8.GetString(_json.Span[start..(int)reader.BytesConsumed]));
                    break;
                case JsonTokenType.String:
                    value = reader.GetString()!;
                    break;
                default:
                    value = Encoding.UTF8.GetString(reader.ValueSpan); // a number as sent, true, false, null
                    break;
            }
            if (text.Length > 0)
            {
                text.Append(" · ");
            }
            text.Append(key).Append(": ").Append(Clamp(value, MaxReadableValue));
        }
        return Clamp(text.ToString(), MaxReadableText);
    }

    /// <summary>Cuts <paramref name="text"/> to <paramref name="max"/> characters, the last one "…", never between the halves of a surrogate pair.</summary>
    internal static string Clamp(string text, int max)
    {
        if (text.Length <= max)
        {
            return text;
        }
        var cut = max - 1;
        if (char.IsHighSurrogate(text[cut - 1]))
        {
            cut--;
        }
        return string.Concat(text.AsSpan(0, cut), "…");
    }
}
