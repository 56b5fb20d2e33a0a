namespace Pulseboard;

/// <summary>The event's JSON Schema (draft 2020-12), part of the public contract.</summary>
/// <remarks>
/// Usable as a local model's structured-output format, so a model can be constrained to emit valid events.
/// It states every rule of <see cref="EventRules"/> but the size limit, which JSON Schema cannot express.
/// </remarks>
internal static class EventSchema
{
    private static readonly Lazy<byte[]> s_utf8 = new(Load);

    /// <summary>The schema as UTF-8 JSON.</summary>
    public static ReadOnlyMemory<byte> Utf8 => s_utf8.Value;

    private static byte[] Load()
    {
        using var stream = typeof(EventSchema).Assembly.GetManifestResourceStream("Pulseboard.event.schema.json")
            ?? throw new InvalidOperationException("The event schema is missing from Pulseboard.Client; the build lost an embedded resource.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
