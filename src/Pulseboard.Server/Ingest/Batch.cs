using System.Text.Json;

namespace Pulseboard.Server.Ingest;

/// <summary>One event a request was refused: its index in the request, the field, and what to fix.</summary>
/// <param name="Index">The event's 0-based index in the body (the line for NDJSON, the element for an array).</param>
/// <param name="Field">The field, or "" for the whole event.</param>
/// <param name="Message">What is wrong and how to fix it.</param>
internal sealed record RejectedEvent(int Index, string Field, string Message);

/// <summary>
/// Splits a request body into events: one JSON object, a JSON array of them, or NDJSON (one per line), each parsed
/// and checked on its own, so one bad event names its index and the others go on.
/// </summary>
internal static class Batch
{
    /// <summary>The events of a body, and the ones refused; or a message when the body as a whole is unreadable.</summary>
    /// <param name="Events">The events that passed, with their index.</param>
    /// <param name="Rejected">The events refused.</param>
    /// <param name="BodyError">Why the body as a whole is unreadable, or null.</param>
    /// <param name="Count">The highest index plus one: the length of a positions answer.</param>
    /// <param name="TooMany">The body holds more events than a request may: a 413, not a 400.</param>
    internal sealed record Parsed(List<(int Index, Event Event)> Events, List<RejectedEvent> Rejected, string? BodyError, int Count = 0, bool TooMany = false);

    public static Parsed ParseJson(ReadOnlyMemory<byte> body, int maxEvents, int maxEventBytes)
    {
        var span = body.Span;
        var start = span.IndexOfAnyExcept(" \t\r\n"u8);
        if (start < 0)
        {
            return Fail("the body is empty; send one event object, an array of them, or NDJSON");
        }
        if (span[start] == (byte)'{')
        {
            return Collect([(0, body)], maxEventBytes);
        }
        if (span[start] != (byte)'[')
        {
            return Fail($"the body must be a JSON object or array; it starts with '{(char)span[start]}' at byte {start}");
        }
        var items = new List<(int, ReadOnlyMemory<byte>)>();
        var reader = new Utf8JsonReader(span, new JsonReaderOptions { MaxDepth = 66 });
        try
        {
            reader.Read(); // [
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                if (items.Count == maxEvents)
                {
                    return TooMany(maxEvents);
                }
                var itemStart = (int)reader.TokenStartIndex;
                reader.Skip();
                items.Add((items.Count, body[itemStart..(int)reader.BytesConsumed]));
            }
            if (reader.Read())
            {
                return Fail($"unexpected data after the array at byte {reader.TokenStartIndex}");
            }
        }
        catch (JsonException ex)
        {
            return Fail($"malformed JSON at byte {reader.BytesConsumed}: {ex.Message.Split(" Path:")[0]}");
        }
        return items.Count == 0 ? Fail("the array is empty; send at least one event") : Collect(items, maxEventBytes);
    }

    public static Parsed ParseNdjson(ReadOnlyMemory<byte> body, int maxEvents, int maxEventBytes)
    {
        var items = new List<(int, ReadOnlyMemory<byte>)>();
        var rest = body;
        for (var line = 0; !rest.IsEmpty; line++)
        {
            var newline = rest.Span.IndexOf((byte)'\n');
            var text = newline < 0 ? rest : rest[..newline];
            rest = newline < 0 ? default : rest[(newline + 1)..];
            if (text.Span.Trim(" \t\r"u8).IsEmpty)
            {
                continue;
            }
            if (items.Count == maxEvents)
            {
                return TooMany(maxEvents);
            }
            items.Add((line, text));
        }
        return items.Count == 0 ? Fail("the body holds no events; send one JSON object per line") : Collect(items, maxEventBytes);
    }

    private static Parsed Collect(List<(int Index, ReadOnlyMemory<byte> Json)> items, int maxEventBytes)
    {
        var events = new List<(int, Event)>(items.Count);
        var rejected = new List<RejectedEvent>();
        var errors = new List<EventError>();
        foreach (var (index, json) in items)
        {
            errors.Clear();
            if (EventJson.Parse(json.Span, errors, maxEventBytes) is { } e)
            {
                events.Add((index, e));
            }
            else
            {
                rejected.AddRange(errors.Select(error => new RejectedEvent(index, error.Field, error.Message)));
            }
        }
        return new Parsed(events, rejected, null, items.Count == 0 ? 0 : items[^1].Index + 1);
    }

    private static Parsed Fail(string message) => new([], [], message);

    private static Parsed TooMany(int maxEvents) => new([], [], $"more than {maxEvents} events in one request; send them in several", TooMany: true);
}
