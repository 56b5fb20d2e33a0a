using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace Pulseboard.Projection.Definitions;

// The per-event paths of issue 11: text, keys and owned copies without the intermediate strings and arrays.
internal readonly partial struct Value
{
    /// <summary>The characters between a JSON string's quotes when it has no escape: its UTF-8 text as it is.</summary>
    private bool IsPlainString(out ReadOnlySpan<byte> utf8)
    {
        utf8 = default;
        if (_kind != 3 || _token != JsonTokenType.String)
        {
            return false;
        }
        utf8 = _json.Span[1..^1];
        return utf8.IndexOf((byte)'\\') < 0;
    }

    /// <summary>
    /// <see cref="ToText"/> for a key (a feed item's, a table row's, a heartbeat source's): the same few keys come back
    /// event after event, so a plain string key is interned by its bytes in <paramref name="keys"/> instead of decoded.
    /// </summary>
    internal string ToKeyText(Utf8Names? keys) =>
        keys is not null && IsPlainString(out var utf8) ? keys.Get(utf8, out _) : ToText();

    /// <summary>Appends <see cref="ToText"/> to <paramref name="text"/>, decoding a plain string or a number straight into it.</summary>
    internal void AppendText(StringBuilder text)
    {
        ReadOnlySpan<byte> utf8;
        if (IsPlainString(out utf8) || (_kind == 3 && _token == JsonTokenType.Number && (utf8 = _json.Span).Length > 0))
        {
            if (utf8.Length <= 256)
            {
                Span<char> chars = stackalloc char[256];
                text.Append(chars[..Encoding.UTF8.GetChars(utf8, chars)]);
                return;
            }
        }
        text.Append(ToText());
    }

    /// <summary>
    /// <see cref="Own()"/> for a value read from <paramref name="e"/>: every value a section keeps from one event shares
    /// one copy of the event's content (a table row's cells: one array, not one per cell).
    /// </summary>
    internal Value Own(ProjectedEvent e) =>
        _kind == 3 && e.TryOwn(_json, out var owned) ? new Value(null, owned, _token, 0, 3) : Own();
}
