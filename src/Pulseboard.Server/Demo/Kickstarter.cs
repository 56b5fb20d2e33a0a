namespace Pulseboard.Server.Demo;

/// <summary>kickstarter: a 30-day campaign two weeks in; backers pledge at the reward tiers and the total follows.</summary>
internal sealed class Kickstarter(DemoWriter w)
{
    private const string Source = "campaign-bot";
    private const int Goal = 50_000;

    private static readonly int[] s_tiers = [29, 49, 99, 249];
    private static readonly string[] s_authors = ["Maya R.", "Tomás", "Priya K.", "Jonas", "Aiko", "Sam W.", "Lena"];
    private static readonly string[] s_comments =
        ["Can't wait for mine!", "Any update on shipping to Canada?", "Love the new colour", "Will there be a EU plug?", "Upgraded to the 249 tier!"];

    private int _pledged;
    private int _backers;

    /// <summary>A few new backers, their pledges added to the total.</summary>
    public void Backers(int max = 3)
    {
        var count = w.Between(1, max);
        var amount = 0;
        for (var i = 0; i < count; i++)
        {
            amount += w.Pick(s_tiers);
        }
        _pledged += amount;
        _backers += count;
        w.Add("kickstarter", "backers", "new_backers", $$"""{"backers":{{count}},"pledged":{{amount}}}""", Source);
    }

    /// <summary>The campaign's total against its goal.</summary>
    public void Status() =>
        w.Add("kickstarter", "campaign", "campaign_status",
            $$"""{"pledged":{{_pledged}},"goal":{{Goal}},"percent":{{_pledged * 100 / Goal}},"backers":{{_backers}}}""", Source);

    public void Comment() =>
        w.Add("kickstarter", "comments", "comment", $$"""{"author":"{{w.Pick(s_authors)}}","text":"{{w.Pick(s_comments)}}"}""", Source);

    /// <summary>Two weeks of pledges with the total every three hours (the pledges chart keeps seven days of hourly points).</summary>
    public void History(DateTimeOffset now)
    {
        for (var at = now.AddDays(-14); at < now.AddHours(-1); at = at.AddHours(3))
        {
            w.Now = at;
            Backers(6);
            w.Now = at.AddMinutes(30);
            Status();
            if (w.Chance(0.2))
            {
                Comment();
            }
        }
    }
}
