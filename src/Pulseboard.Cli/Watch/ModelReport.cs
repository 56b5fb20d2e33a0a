using System.Buffers;
using System.Text.Json;

namespace Pulseboard.Cli.Watch;

/// <summary>What one round learned of one model (or of a server that has none to report).</summary>
/// <param name="Name">The model's name: the event's source.</param>
/// <param name="Server">The server's address.</param>
/// <param name="Kind"><c>llama.cpp</c>, <c>ollama</c> or <c>openai</c>.</param>
/// <param name="Status"><c>ok</c>, <c>busy</c>, <c>loading</c>, <c>idle</c> (no model loaded), <c>error</c> or <c>unreachable</c>.</param>
internal sealed record ModelReport(string Name, string Server, string Kind, string Status)
{
    /// <summary>Generation throughput (llama.cpp's <c>llamacpp:predicted_tokens_seconds</c>), when the server says.</summary>
    public double? TokensPerSecond { get; init; }

    /// <summary>Memory the model holds, in MB (Ollama's <c>size_vram</c>), when the server says.</summary>
    public long? MemoryMb { get; init; }

    /// <summary>Requests in progress (llama.cpp's <c>llamacpp:requests_processing</c>), when the server says.</summary>
    public double? Requests { get; init; }

    /// <summary>Requests waiting (llama.cpp's <c>llamacpp:requests_deferred</c>), when the server says.</summary>
    public double? RequestsDeferred { get; init; }

    /// <summary>
    /// How long the server took to answer the watcher's first status request this round, in ms (llama.cpp's
    /// <c>/health</c>, Ollama's <c>/api/version</c>, an OpenAI-compatible <c>/v1/models</c>): its responsiveness, not
    /// an inference's latency. Null when it did not answer.
    /// </summary>
    public double? LatencyMs { get; init; }

    /// <summary>Why the server could not be read, for <c>unreachable</c> and <c>error</c>.</summary>
    public string? Error { get; init; }

    /// <summary>
    /// The heartbeat event: source the model's name, content <c>{model, server, kind, status, latency_ms, tokens_per_s,
    /// memory_mb, requests, requests_deferred, error}</c>, a field the server did not give being null; with an error, a
    /// <c>message</c> too, and priority high (so command-center lists it).
    /// </summary>
    public Event ToEvent(string dashboard, string section)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("model", Name);
            w.WriteString("server", Server);
            w.WriteString("kind", Kind);
            w.WriteString("status", Status);
            Number(w, "latency_ms", LatencyMs is { } l ? Math.Round(l, 1) : null);
            Number(w, "tokens_per_s", TokensPerSecond is { } t ? Math.Round(t, 2) : null);
            Number(w, "memory_mb", MemoryMb);
            Number(w, "requests", Requests);
            Number(w, "requests_deferred", RequestsDeferred);
            if (Error is null)
            {
                w.WriteNull("error");
            }
            else
            {
                w.WriteString("error", Error);
                // What command-center's feed of high-priority events shows: "[fleet] heartbeat: {content.message}".
                w.WriteString("message", $"{Name} ({Kind} at {Server}) is {Status}: {Error}");
            }
            w.WriteEndObject();
        }
        using var content = JsonDocument.Parse(buffer.WrittenMemory);
        return new Event
        {
            Dashboard = dashboard,
            Section = section,
            Action = "heartbeat",
            Source = SourceName(Name),
            Priority = Status is "unreachable" or "error" ? Priority.High : Priority.Low,
            Content = content.RootElement.Clone(),
        };
    }

    /// <summary>
    /// A model's name as an event source (<c>^[A-Za-z0-9_.:-]{1,64}$</c>): a path keeps its file name without
    /// <c>.gguf</c>, other characters become <c>-</c>, and it is cut to 64.
    /// </summary>
    public static string SourceName(string name)
    {
        var file = name.Replace('\\', '/');
        if (file.EndsWith(".gguf", StringComparison.OrdinalIgnoreCase))
        {
            file = Path.GetFileNameWithoutExtension(file[(file.LastIndexOf('/') + 1)..]);
        }
        var chars = file.Select(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or ':' or '-' ? c : '-').ToArray();
        var text = new string(chars).Trim('-');
        text = text.Length > 64 ? text[..64] : text;
        return text.Length == 0 ? "model" : text;
    }

    private static void Number(Utf8JsonWriter w, string name, double? value)
    {
        if (value is { } v && double.IsFinite(v))
        {
            w.WriteNumber(name, v);
        }
        else
        {
            w.WriteNull(name);
        }
    }
}
