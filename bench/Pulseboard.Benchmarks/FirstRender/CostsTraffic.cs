using System.Globalization;
using System.Text;

namespace Pulseboard.Benchmarks.FirstRender;

/// <summary>
/// What fills the costs dashboard before the loads: a month of an agent fleet's spend reports (hourly over the last
/// week, a few a day before that) across a dozen models, and budget alerts over thirty categories, some resolved.
/// Every section of the page then has real work to draw: two charts, a full feed, a table, the stat and the counter.
/// </summary>
internal static class CostsTraffic
{
    private static readonly string[] s_models = ["claude-opus", "claude-sonnet", "claude-haiku", "gpt-4o", "gpt-4o-mini", "llama-3.1-70b", "llama-3.1-8b", "qwen2.5-32b", "mistral-large", "gemma-2-27b", "deepseek-v3", "phi-4"];
    private static readonly string[] s_areas = ["gpu-inference", "cloud-storage", "vector-db", "embeddings", "fine-tuning", "egress", "api-gateway", "batch-jobs", "observability", "ci-runners"];
    private static readonly string[] s_regions = ["eu-west", "us-east", "ap-south"];

    /// <summary>NDJSON of the events, stamped relative to <paramref name="now"/>.</summary>
    public static string Ndjson(DateTimeOffset now)
    {
        var lines = new StringBuilder();
        var n = 0;
        // The last 7 days hour by hour (the hourly chart's window), then 23 earlier days a few times a day.
        for (var hour = 0; hour < 7 * 24; hour++)
        {
            Spend(lines, now.AddHours(-hour).AddMinutes(-7), n++);
        }
        for (var at = now.AddDays(-7); at > now.AddDays(-30); at = at.AddHours(-5))
        {
            Spend(lines, at, n++);
        }
        // Alerts: 30 categories warned about, a few of them resolved, the last one the budget shows.
        for (var i = 0; i < 90; i++)
        {
            var category = $"{s_areas[i % s_areas.Length]}-{s_regions[i / s_areas.Length % s_regions.Length]}";
            var resolved = i % 11 == 10;
            var limit = 500 + 250 * (i % 4);
            lines.Append(CultureInfo.InvariantCulture, $$$"""{"dashboard":"costs","section":"alerts","action":"{{{(resolved ? "resolved" : i % 3 == 0 ? "budget_exceeded" : "budget_warning")}}}","priority":"{{{(i % 3 == 0 ? "critical" : "high")}}}","source":"budget-watch","timestamp":"{{{Stamp(now.AddMinutes(-(90 - i) * 11))}}}","content":{"category":"{{{category}}}","current":{{{limit * (80 + i % 40) / 100}}},"limit":{{{limit}}},"note":"month-to-date spend is {{{80 + i % 40}}}% of the budget; the largest line is {{{s_models[i % s_models.Length]}}}"}}""").Append('\n');
        }
        return lines.ToString();
    }

    private static void Spend(StringBuilder lines, DateTimeOffset at, int n)
    {
        var model = s_models[n * 7 % s_models.Length];
        var tokens = 20_000 + n * 7919 % 480_000;
        var usd = Math.Round(tokens * (0.5 + n % 5) / 100_000.0, 2);
        lines.Append(CultureInfo.InvariantCulture, $$$"""{"dashboard":"costs","section":"spend","action":"spend","source":"orchestrator","timestamp":"{{{Stamp(at)}}}","content":{"usd":{{{usd.ToString(CultureInfo.InvariantCulture)}}},"model":"{{{model}}}","tokens":{{{tokens}}},"task":"run-{{{n}}}"}}""").Append('\n');
    }

    private static string Stamp(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
