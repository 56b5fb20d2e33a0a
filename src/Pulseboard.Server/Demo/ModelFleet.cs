namespace Pulseboard.Server.Demo;

/// <summary>
/// fleet (and command-center's agents): three local models reporting tokens/s, latency and memory. One goes quiet
/// after two minutes, so a newcomer sees a source turn late, then down.
/// </summary>
internal sealed class ModelFleet(DemoWriter w)
{
    /// <summary>The model that stops: on fleet late 45 s after its last heartbeat, down after 105 s.</summary>
    public const string QuietModel = "mistral-7b";

    private static readonly (string Source, string Model, double TokensPerS, int LatencyMs, int MemoryMb)[] s_models =
    [
        ("llama-3-8b", "Llama 3 8B Instruct Q4_K_M", 46, 240, 5_600),
        ("qwen2-7b", "Qwen2 7B Instruct Q5_K_M", 52, 210, 6_100),
        (QuietModel, "Mistral 7B Instruct Q4_0", 38, 320, 4_700),
    ];

    /// <summary>One heartbeat per model; <paramref name="quiet"/> leaves out <see cref="QuietModel"/>.</summary>
    public void Heartbeats(bool quiet)
    {
        foreach (var (source, model, tokensPerS, latencyMs, memoryMb) in s_models)
        {
            if (quiet && source == QuietModel)
            {
                continue;
            }
            var busy = w.Chance(0.1); // a long prompt now and then: slower and later, as real servers are
            var tokens = Math.Round(tokensPerS * (busy ? 0.6 : 1) * (0.9 + (w.Random.NextDouble() * 0.2)), 1);
            var latency = (int)(latencyMs * (busy ? 3.5 : 1) * (0.8 + (w.Random.NextDouble() * 0.4)));
            var memory = memoryMb + w.Between(-150, 150);
            w.Add("fleet", "models", "heartbeat",
                $$"""{"model":"{{model}}","tokens_per_s":{{tokens}},"latency_ms":{{latency}},"memory_mb":{{memory}},"status":"{{(busy ? "busy" : "ok")}}"}""",
                source, Priority.Low);
        }
    }

    /// <summary>A heartbeat every five minutes for the last day: one per bucket of the throughput and latency charts.</summary>
    public void History(DateTimeOffset now)
    {
        for (var at = now.AddDays(-1).AddMinutes(2); at < now; at = at.AddMinutes(5))
        {
            w.Now = at;
            Heartbeats(quiet: false);
        }
    }
}
