using System.Buffers;
using System.Text.Json;

namespace Pulseboard.Projection;

internal sealed partial class ProjectedEvent
{
    /// <summary>
    /// An event not stored yet, as the projector will see it once stored (seq 0, received at
    /// <paramref name="received"/>): to ask which sections take it before appending it.
    /// </summary>
    internal static ProjectedEvent Unstored(Event e, DateTimeOffset received)
    {
        ArgumentNullException.ThrowIfNull(e);
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteNumber("seq"u8, 0);
            EventJson.WriteTime(writer, "received"u8, received);
            EventJson.WriteProperties(writer, e, e.Timestamp);
            writer.WriteEndObject();
        }
        var projected = new ProjectedEvent { _line = buffer.WrittenMemory.ToArray() };
        projected.ReadFields(null);
        return projected;
    }
}
