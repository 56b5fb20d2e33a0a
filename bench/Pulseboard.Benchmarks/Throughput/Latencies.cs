using System.Diagnostics;

namespace Pulseboard.Benchmarks.Throughput;

/// <summary>Percentiles of Stopwatch tick durations, in microseconds.</summary>
internal readonly record struct Latencies(double P50, double P99, double P999, double Max)
{
    /// <summary>Sorts <paramref name="ticks"/> in place and reads its percentiles (nearest rank).</summary>
    public static Latencies FromTicks(long[] ticks)
    {
        if (ticks.Length == 0)
        {
            return default;
        }
        Array.Sort(ticks);
        return new(At(ticks, 0.50), At(ticks, 0.99), At(ticks, 0.999), ToMicroseconds(ticks[^1]));
    }

    public static double ToMicroseconds(long ticks) => ticks * 1_000_000.0 / Stopwatch.Frequency;

    private static double At(long[] sorted, double quantile) =>
        ToMicroseconds(sorted[(int)Math.Min(sorted.Length - 1, Math.Ceiling(quantile * sorted.Length) - 1)]);
}
