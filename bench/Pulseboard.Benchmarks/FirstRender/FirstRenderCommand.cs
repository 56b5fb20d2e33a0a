using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Pulseboard.Benchmarks.Throughput;

namespace Pulseboard.Benchmarks.FirstRender;

/// <summary>
/// <c>first-render</c>: how long the costs page takes to show its data in a cold browser, against a floor on the same
/// server. Each load is a new browser context (empty HTTP cache), timed from navigation start to the page's own
/// <c>pulseboard:first-render</c> mark; the variants take turns (floor, page, floor, page, …) so drift hits all alike.
/// </summary>
internal static class FirstRenderCommand
{
    private const string Help = """
        usage: Pulseboard.Benchmarks first-render [--loads N] [--warmup N] [--levers true] [--json FILE]

          --loads N       timed loads of each variant, taking turns (default 15)
          --warmup N      untimed rounds first (default 3; 0 for none)
          --levers true   also the page without the inlined cache, without compression, and without both
          --json FILE     the same figures as JSON

        Starts the server in this process on a free loopback port with a fresh data folder and the sample dashboards,
        fills the costs dashboard (about 430 events), then loads /floor/costs and /d/costs in Debian's Chromium.
        """;

    public static async Task<int> RunAsync(string[] args)
    {
        var loads = 15;
        var warmup = 3;
        var levers = false;
        string? json = null;
        if (!Arguments.TryApply(args, (name, value) =>
        {
            string? error = null;
            switch (name)
            {
                case "--loads": loads = (int)Arguments.Count(name, value, 10_000, ref error); break;
                case "--warmup": warmup = value == "0" ? 0 : (int)Arguments.Count(name, value, 100, ref error); break;
                case "--levers": levers = value is "true" or "1" or "yes"; break;
                case "--json": json = value; break;
                default: error = $"unknown option {name}"; break;
            }
            return error;
        }, out var problem))
        {
            Console.Error.WriteLine(problem is null ? Help : $"first-render: {problem}\n\n{Help}");
            return problem is null ? 0 : 2;
        }

        var variants = new List<Variant> { Variant.Floor, Variant.Page };
        if (levers)
        {
            variants.AddRange(Variant.Levers);
        }
        await using var server = await FirstRenderServer.StartAsync().ConfigureAwait(false);
        var (cacheBytes, position) = await server.FillCostsAsync().ConfigureAwait(false);
        Console.Error.WriteLine($"first-render: server on {server.Url}, costs cache {cacheBytes:N0} bytes at position {position}; {loads} loads of {variants.Count} variants...");
        await using var browser = await ColdBrowser.LaunchAsync().ConfigureAwait(false);
        for (var round = -warmup; round < loads; round++)
        {
            foreach (var variant in variants)
            {
                var (ms, all, filesIn, requests, bytes) = await browser.LoadAsync(new Uri(server.Url, variant.Path), variant.Uncompressed).ConfigureAwait(false);
                if (round >= 0)
                {
                    variant.Milliseconds.Add(ms);
                    variant.Sections.Add(all);
                    variant.FilesIn.Add(filesIn);
                    variant.Requests.Add(requests);
                    variant.Bytes.Add(bytes);
                }
            }
            Console.Error.Write($"\rfirst-render: round {Math.Max(0, round + 1)} of {loads}");
        }
        Console.Error.WriteLine();
        Print(variants, loads, cacheBytes);
        if (json is not null)
        {
            await File.WriteAllTextAsync(json, Json(variants, loads, cacheBytes).ToJsonString(new JsonSerializerOptions { WriteIndented = true })).ConfigureAwait(false);
        }
        return 0;
    }

    private static void Print(List<Variant> variants, int loads, int cacheBytes)
    {
        foreach (var (key, value) in MachineInfo.Describe(Path.GetTempPath()).Where(p => p.Key is "processors" or "cpu" or "os" or "runtime"))
        {
            Console.WriteLine($"{key,-11} {value}");
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"\nfirst render of the costs dashboard ({cacheBytes / 1024.0:F1} KB cache): navigation start to the 'pulseboard:first-render' mark,"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Chromium, a new context (cold HTTP cache) per load, {loads} loads each, taking turns\n"));
        Console.WriteLine($"{"variant",-20} {"median ms",10} {"p90 ms",8} {"min",7} {"max",7} {"all ms",7} {"files in",9} {"requests",9} {"KB moved",9}  what");
        foreach (var v in variants)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{v.Name,-20} {Variant.Percentile(v.Milliseconds, 50),10:F1} {Variant.Percentile(v.Milliseconds, 90),8:F1} {v.Milliseconds.Min(),7:F1} {v.Milliseconds.Max(),7:F1} {Variant.Percentile(v.Sections, 50),7:F1} {Variant.Percentile(v.FilesIn, 50),9:F1} {Variant.Percentile(v.Requests.Select(r => (double)r).ToList(), 50),9:F0} {Variant.Percentile(v.Bytes, 50) / 1024,9:F1}  {v.What}"));
        }
        var floor = Variant.Percentile(variants[0].Milliseconds, 50);
        Console.WriteLine();
        foreach (var v in variants.Skip(1))
        {
            var ratio = Variant.Percentile(v.Milliseconds, 50) / floor;
            var paired = Variant.Percentile(v.Milliseconds.Zip(variants[0].Milliseconds, (a, b) => a / b).ToList(), 50);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{v.Name + " / floor",-30} {ratio:F2}x   (median of each round's ratio {paired:F2}x){(v == Variant.Page ? $"   aim <= 1.20x: {(ratio <= 1.2 ? "met" : "MISSED")}" : "")}"));
        }
        Console.WriteLine($"load average (1, 5, 15 min) at the end: {LoadAverage()}; the page's figures are mostly CPU (scripts, layout), so a busy machine stretches them more than the floor's");
        Console.WriteLine("\nall ms: median ms to every section in the DOM (the page's second mark, 'pulseboard:sections'; the floor writes all before its one mark);");
        Console.WriteLine("files in: median ms by which the last response the first render used had arrived (the rest, to the mark, is the page's own work);");
        Console.WriteLine("requests: every request the load made, the stream included; KB moved: transferSize of the document and every finished resource (headers and encoded bodies; not the open stream)");
    }

    private static string LoadAverage()
    {
        try
        {
            return string.Join(", ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return "unknown";
        }
    }

    private static JsonObject Json(List<Variant> variants, int loads, int cacheBytes)
    {
        var machine = new JsonObject();
        foreach (var (key, value) in MachineInfo.Describe(Path.GetTempPath()))
        {
            machine[key] = value;
        }
        var list = new JsonArray();
        foreach (var v in variants)
        {
            list.Add(new JsonObject
            {
                ["variant"] = v.Name, ["path"] = v.Path, ["uncompressed"] = v.Uncompressed,
                ["median_ms"] = Variant.Percentile(v.Milliseconds, 50), ["p90_ms"] = Variant.Percentile(v.Milliseconds, 90), ["files_in_ms"] = Variant.Percentile(v.FilesIn, 50), ["all_sections_ms"] = Variant.Percentile(v.Sections, 50),
                ["ratio_to_floor"] = Variant.Percentile(v.Milliseconds, 50) / Variant.Percentile(variants[0].Milliseconds, 50),
                ["paired_ratio"] = Variant.Percentile(v.Milliseconds.Zip(variants[0].Milliseconds, (a, b) => a / b).ToList(), 50),
                ["requests"] = Variant.Percentile(v.Requests.Select(r => (double)r).ToList(), 50), ["bytes"] = Variant.Percentile(v.Bytes, 50),
                ["ms"] = new JsonArray([.. v.Milliseconds.Select(m => (JsonNode)Math.Round(m, 1))]),
            });
        }
        return new JsonObject { ["date"] = DateTimeOffset.UtcNow.ToString("O"), ["machine"] = machine, ["load_average"] = LoadAverage(), ["loads"] = loads, ["cache_bytes"] = cacheBytes, ["variants"] = list };
    }
}
