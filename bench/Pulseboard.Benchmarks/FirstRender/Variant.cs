namespace Pulseboard.Benchmarks.FirstRender;

/// <summary>One way of loading the costs dashboard, and what its loads measured.</summary>
/// <param name="Name">As printed.</param>
/// <param name="Path">The URL path loaded.</param>
/// <param name="Uncompressed">Whether its requests ask for no compression.</param>
/// <param name="What">One line on what it is.</param>
internal sealed record Variant(string Name, string Path, bool Uncompressed, string What)
{
    public List<double> Milliseconds { get; } = [];

    public List<double> Sections { get; } = [];

    public List<double> FilesIn { get; } = [];

    public List<int> Requests { get; } = [];

    public List<double> Bytes { get; } = [];

    public static Variant Floor { get; } = new("floor", "/floor/costs", false, "a bare page on the same server: fetches the cache, writes each section as JSON text");

    public static Variant Page { get; } = new("page", "/d/costs", false, "the dashboard page as served: cache inlined, hashed assets, Brotli");

    /// <summary>The levers, each the page with one thing taken away, and the page as it was served before issue 10.</summary>
    public static IReadOnlyList<Variant> Levers { get; } =
    [
        new("page, not inlined", "/bench/plain/costs", false, "the same page without the cache in it: it fetches the cache"),
        new("page, uncompressed", "/d/costs", true, "cache inlined, no compression"),
        new("page, neither", "/bench/plain/costs", true, "not inlined, no compression: about the page before issue 10"),
    ];

    /// <summary>The <paramref name="p"/>-th percentile, nearest rank.</summary>
    public static double Percentile(IReadOnlyList<double> values, double p)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(p / 100 * sorted.Length) - 1, 0, sorted.Length - 1)];
    }
}
