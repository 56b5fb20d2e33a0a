using System.Text.Json;
using Pulseboard.Tests.Support;
using Xunit.Abstractions;

namespace Pulseboard.Tests.Bench;

/// <summary>
/// The first-render tool (<c>Pulseboard.Benchmarks first-render</c>), one round: every variant loads and reaches its
/// mark, and the levers change what they say they change. Speed is not asserted here.
/// </summary>
public sealed class FirstRenderToolTests(ITestOutputHelper output)
{
    [Fact]
    public async Task One_round_of_every_variant_reaches_the_mark_and_the_levers_do_what_they_say()
    {
        using var folder = new TempDirectory();
        var report = Path.Combine(folder.Path, "first-render.json");
        var (code, stdout, stderr) = await Processes.RunAsync("dotnet", [Built.Benchmarks, "first-render", "--loads", "1", "--warmup", "0", "--levers", "true", "--json", report],
            timeout: TimeSpan.FromMinutes(3));
        output.WriteLine(stdout);
        output.WriteLine(stderr);
        Assert.True(code == 0, $"first-render exited with {code}: {stderr}");
        Assert.Contains("page / floor", stdout, StringComparison.Ordinal);

        using var json = JsonDocument.Parse(File.ReadAllText(report));
        var variants = json.RootElement.GetProperty("variants").EnumerateArray().ToDictionary(v => v.GetProperty("variant").GetString()!);
        Assert.Equal(["floor", "page", "page, not inlined", "page, uncompressed", "page, neither"], variants.Keys);
        Assert.All(variants.Values, v => Assert.True(v.GetProperty("median_ms").GetDouble() > 0));
        double Of(string variant, string figure) => variants[variant].GetProperty(figure).GetDouble();
        Assert.Equal(2, Of("floor", "requests")); // the document and the cache
        Assert.Equal(Of("page", "requests") + 1, Of("page, not inlined", "requests")); // inlined: no fetch of the cache
        Assert.True(Of("page", "bytes") < Of("page, uncompressed", "bytes") / 2, "compression should more than halve the bytes");
    }
}
