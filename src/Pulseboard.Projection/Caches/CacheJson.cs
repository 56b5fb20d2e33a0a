using System.Text.Json;

namespace Pulseboard.Projection.Caches;

/// <summary>Lenient reads of a cache's fields: a field that is absent or of another type reads as none.</summary>
internal static class CacheJson
{
    /// <summary>A text field; null when absent or not text.</summary>
    public static string? Text(JsonElement e, string name) =>
        e.TryGetProperty(name, out var p) && p.ValueKind == JsonValueKind.String ? p.GetString() : null;

    /// <summary>A whole-number field; null when absent or not one.</summary>
    public static long? Number(JsonElement e, string name) =>
        e.TryGetProperty(name, out var p) && p.ValueKind == JsonValueKind.Number && p.TryGetInt64(out var n) ? n : null;

    /// <summary>An array field's items; none when absent or not an array.</summary>
    public static JsonElement[] Items(JsonElement e, string name) =>
        e.TryGetProperty(name, out var p) && p.ValueKind == JsonValueKind.Array ? [.. p.EnumerateArray()] : [];
}
