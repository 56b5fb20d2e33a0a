using System.Diagnostics;
using System.Numerics;

namespace Pulseboard.Benchmarks.Load;

/// <summary>
/// Durations in a fixed 2,048-bucket log-linear histogram: 32 buckets per power of two of nanoseconds, so a percentile
/// is read within about 3% however many million samples there are; the maximum is kept exactly. One per agent (not
/// thread-safe), merged at the end.
/// </summary>
internal sealed class LatencyHistogram
{
    private const int SubBits = 5;
    private const int Sub = 1 << SubBits;
    private readonly long[] _counts = new long[64 * Sub];

    public long Count { get; private set; }

    public long MaxNanoseconds { get; private set; }

    public void RecordTicks(long ticks) => Record((long)(ticks * (1e9 / Stopwatch.Frequency)));

    public void Record(long nanoseconds)
    {
        nanoseconds = Math.Max(0, nanoseconds);
        _counts[Bucket(nanoseconds)]++;
        Count++;
        MaxNanoseconds = Math.Max(MaxNanoseconds, nanoseconds);
    }

    public void Add(LatencyHistogram other)
    {
        for (var i = 0; i < _counts.Length; i++)
        {
            _counts[i] += other._counts[i];
        }
        Count += other.Count;
        MaxNanoseconds = Math.Max(MaxNanoseconds, other.MaxNanoseconds);
    }

    /// <summary>The value at <paramref name="quantile"/> (nearest rank), in milliseconds: the middle of its bucket.</summary>
    public double Milliseconds(double quantile)
    {
        if (Count == 0)
        {
            return 0;
        }
        var rank = Math.Max(1, (long)Math.Ceiling(quantile * Count));
        long seen = 0;
        for (var i = 0; i < _counts.Length; i++)
        {
            seen += _counts[i];
            if (seen >= rank)
            {
                return Math.Min(Middle(i), MaxNanoseconds) / 1e6;
            }
        }
        return MaxNanoseconds / 1e6;
    }

    public double MaxMilliseconds => MaxNanoseconds / 1e6;

    private static int Bucket(long value)
    {
        if (value < Sub)
        {
            return (int)value;
        }
        var exponent = 63 - BitOperations.LeadingZeroCount((ulong)value); // value in [2^e, 2^(e+1))
        var mantissa = (int)(value >> (exponent - SubBits)) - Sub;
        return ((exponent - SubBits + 1) << SubBits) + mantissa;
    }

    private static double Middle(int bucket)
    {
        if (bucket < Sub)
        {
            return bucket;
        }
        var exponent = (bucket >> SubBits) + SubBits - 1;
        var mantissa = bucket & (Sub - 1);
        var low = (double)(Sub + mantissa) * Math.Pow(2, exponent - SubBits);
        return low + Math.Pow(2, exponent - SubBits) / 2;
    }
}
