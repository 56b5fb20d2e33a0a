using System.Text.Json.Serialization;

namespace Pulseboard;

/// <summary>The source-generated serializer for the small types the event contract serializes whole.</summary>
[JsonSourceGenerationOptions(WriteIndented = false)]
[JsonSerializable(typeof(string))]
internal sealed partial class EventJsonContext : JsonSerializerContext;
