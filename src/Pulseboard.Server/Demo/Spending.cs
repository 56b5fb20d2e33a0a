namespace Pulseboard.Server.Demo;

/// <summary>costs (and command-center's budget): the accountant records model spend and raises budget alerts.</summary>
internal sealed class Spending(DemoWriter w)
{
    private const string Source = "accountant";

    private static readonly (string Name, double UsdPerMillionTokens)[] s_models =
        [("claude-haiku", 1.25), ("gpt-4o-mini", 0.6), ("claude-sonnet", 6), ("llama-3-8b", 0.1)];

    private static readonly (string Category, int Limit)[] s_budgets = [("cloud-services", 1_000), ("gpu", 2_500), ("api", 500)];

    private readonly HashSet<string> _alerting = [];

    /// <summary>One job's spend.</summary>
    public void Spend(int minTokens = 2_000, int maxTokens = 60_000)
    {
        var (model, price) = w.Pick(s_models);
        var tokens = w.Between(minTokens, maxTokens);
        var usd = Math.Max(0.01, Math.Round(tokens * price / 1_000_000, 2));
        w.Add("costs", "spend", "spend", $$"""{"usd":{{usd}},"model":"{{model}}","tokens":{{tokens}}}""", Source);
    }

    /// <summary>A budget nearing or over its limit; now and then one that recovered, so alerts come and go.</summary>
    public void Alert()
    {
        if (_alerting.Count > 0 && w.Chance(0.35))
        {
            var recovered = w.Pick(_alerting.Order(StringComparer.Ordinal).ToList());
            var limit = s_budgets.First(b => b.Category == recovered).Limit;
            _alerting.Remove(recovered);
            w.Add("costs", "alerts", "resolved", $$"""{"category":"{{recovered}}","current":{{(int)(limit * w.Amount(0.5, 0.79))}},"limit":{{limit}}}""", Source);
            return;
        }
        var (category, max) = w.Pick(s_budgets);
        var current = (int)(max * w.Amount(0.8, 1.25));
        var over = current > max;
        _alerting.Add(category);
        w.Add("costs", "alerts", over ? "budget_exceeded" : "budget_warning",
            $$"""{"category":"{{category}}","current":{{current}},"limit":{{max}}}""", Source, over ? Priority.Critical : Priority.High);
    }

    /// <summary>Batch jobs every hour for two weeks: the hourly chart and the daily totals.</summary>
    public void History(DateTimeOffset now)
    {
        for (var at = now.AddDays(-14); at < now.AddHours(-1); at = at.AddHours(1))
        {
            w.Now = at.AddMinutes(w.Between(0, 50));
            Spend(100_000, 1_500_000);
        }
    }
}
