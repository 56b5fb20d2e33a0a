namespace Pulseboard.Server.Demo;

/// <summary>arbitrage: a scanner finds price gaps between marketplaces; some are traded, the rest close when the gap goes.</summary>
internal sealed class Arbitrage(DemoWriter w)
{
    private const string Source = "scanner";
    private const int MaxOpen = 10;

    private static readonly (string Item, int Price)[] s_items =
        [("RTX 4090", 1_750), ("Mac Studio M2 Ultra", 3_900), ("Steam Deck OLED", 520), ("PS5 Pro", 700), ("DJI Mini 4 Pro", 760)];

    private static readonly string[] s_buyVenues = ["eBay", "Mercari", "Facebook Marketplace"];
    private static readonly string[] s_sellVenues = ["Amazon", "StockX", "Back Market"];

    private readonly List<Opportunity> _open = [];
    private int _next = 100;
    private int _nextTrade = 500;

    /// <summary>A new gap; the oldest open one closes first when the list is full, as gaps do not last.</summary>
    public void Find()
    {
        if (_open.Count >= MaxOpen)
        {
            Close(_open[0], "opportunity_closed");
        }
        var (item, price) = w.Pick(s_items);
        var buy = (int)(price * w.Amount(0.8, 0.95));
        var sell = (int)(price * w.Amount(1, 1.08));
        var opportunity = new Opportunity($"opp-{_next++}", item, buy, w.Pick(s_buyVenues), sell, w.Pick(s_sellVenues));
        _open.Add(opportunity);
        Write(opportunity, "opportunity_found");
    }

    /// <summary>Acts on an open gap: the opportunity closes and a trade with its profit (after fees, maybe a loss) is recorded.</summary>
    public void Trade()
    {
        if (_open.Count == 0)
        {
            Find();
            return;
        }
        var taken = w.Pick(_open);
        Close(taken, "opportunity_closed");
        var fees = (taken.Sell * 0.06) + w.Between(10, 40); // marketplace fee and shipping
        var profit = Math.Round(taken.Sell - taken.Buy - fees, 2);
        w.Add("arbitrage", "trades", "trade_closed",
            $$"""{"id":"trade-{{_nextTrade++}}","item":"{{taken.Item}}","profit":{{profit}},"venue":"{{taken.SellVenue}}","opportunity":"{{taken.Id}}"}""", Source);
    }

    /// <summary>Two days of gaps (a point in most 15-minute buckets of the spread chart) and the trades made on them.</summary>
    public void History(DateTimeOffset now)
    {
        for (var at = now.AddDays(-2).AddMinutes(5); at < now.AddMinutes(-20); at = at.AddMinutes(20))
        {
            w.Now = at;
            Find();
            if (w.Chance(0.15))
            {
                w.Now = at.AddMinutes(10);
                Trade();
            }
        }
    }

    private void Close(Opportunity opportunity, string action)
    {
        _open.Remove(opportunity);
        Write(opportunity, action);
    }

    private void Write(Opportunity o, string action)
    {
        var spread = Math.Round((o.Sell - o.Buy) * 100d / o.Buy, 2);
        w.Add("arbitrage", "opportunities", action,
            $$"""{"id":"{{o.Id}}","item":"{{o.Item}}","buy":{{o.Buy}},"buy_venue":"{{o.BuyVenue}}","sell":{{o.Sell}},"sell_venue":"{{o.SellVenue}}","spread_pct":{{spread}}}""", Source);
    }

    private sealed record Opportunity(string Id, string Item, int Buy, string BuyVenue, int Sell, string SellVenue);
}
