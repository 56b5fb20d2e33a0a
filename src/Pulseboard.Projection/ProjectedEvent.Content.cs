using System.Runtime.InteropServices;
using System.Text.Json;

namespace Pulseboard.Projection;

internal sealed partial class ProjectedEvent
{
    private int[]? _properties; // per top-level property of the content: name start, name end, value start, value end
    private int _propertyCount = -1; // -1: not indexed (not an object, or a name with escapes): paths walk the bytes

    /// <summary>
    /// Walks the content once, as skipping it would, noting where each top-level property's name and value lie.
    /// The offsets go into the projector's scratch array (reused event after event) or, for an event read alone, an
    /// array of its own.
    /// </summary>
    /// <param name="reader">On the content's first token.</param>
    /// <param name="names">The projector's tables, or null.</param>
    /// <param name="offset">Where the reader's input starts in the line.</param>
    private void IndexContent(ref Utf8JsonReader reader, ProjectionNames? names, int offset)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return;
        }
        var properties = names is null ? new int[32] : names.Scratch;
        var count = 0;
        var indexed = true;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            indexed &= !reader.ValueIsEscaped;
            var nameStart = offset + (int)reader.TokenStartIndex + 1; // after the quote
            var nameEnd = nameStart + reader.ValueSpan.Length;
            reader.Read();
            var valueStart = offset + (int)reader.TokenStartIndex;
            reader.Skip();
            if (!indexed)
            {
                continue;
            }
            if ((count + 1) * 4 > properties.Length)
            {
                Array.Resize(ref properties, properties.Length * 2);
                if (names is not null)
                {
                    names.Scratch = properties;
                }
            }
            properties[count * 4] = nameStart;
            properties[(count * 4) + 1] = nameEnd;
            properties[(count * 4) + 2] = valueStart;
            properties[(count * 4) + 3] = offset + (int)reader.BytesConsumed;
            count++;
        }
        if (indexed)
        {
            _properties = properties;
            _propertyCount = count;
            if (names is not null)
            {
                names.ScratchOwner = this;
            }
        }
    }

    /// <summary>
    /// The value of the content's top-level property <paramref name="name"/> (UTF-8), found in the index the read
    /// made. False with <paramref name="indexed"/> false when there is no index to ask (the caller walks the content).
    /// </summary>
    internal bool TryGetContentProperty(ReadOnlySpan<byte> name, out ReadOnlyMemory<byte> value, out bool indexed)
    {
        value = default;
        // The projector's scratch array holds the index of the event it read last: an older event walks instead.
        indexed = _propertyCount >= 0 && (_names is null || _names.ScratchOwner == this);
        if (!indexed)
        {
            return false;
        }
        var line = _line.Span;
        var properties = _properties!;
        for (var i = 0; i < _propertyCount; i++)
        {
            var at = i * 4;
            if (line[properties[at]..properties[at + 1]].SequenceEqual(name))
            {
                value = _line[properties[at + 2]..properties[at + 3]];
                return true; // the first of duplicate names, as the walk finds it
            }
        }
        return false;
    }
}

internal sealed partial class ProjectedEvent
{
    private byte[]? _ownedContent;

    /// <summary>
    /// <paramref name="slice"/> (a value inside the content) as the same bytes in one copy of the content made on
    /// first use and shared by every value kept from this event; false when it does not lie in the content.
    /// </summary>
    internal bool TryOwn(ReadOnlyMemory<byte> slice, out ReadOnlyMemory<byte> owned)
    {
        owned = default;
        if (!MemoryMarshal.TryGetArray(slice, out var s) || !MemoryMarshal.TryGetArray(_content, out var c)
            || s.Array != c.Array || s.Offset < c.Offset || s.Offset + s.Count > c.Offset + c.Count)
        {
            return false;
        }
        _ownedContent ??= _content.ToArray();
        owned = _ownedContent.AsMemory(s.Offset - c.Offset, s.Count);
        return true;
    }
}
