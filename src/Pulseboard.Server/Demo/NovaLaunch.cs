namespace Pulseboard.Server.Demo;

/// <summary>nova-launch: signups join the waitlist; companies ask about availability.</summary>
internal sealed class NovaLaunch(DemoWriter w)
{
    private const string Source = "launch-bot";

    private static readonly string[] s_channels = ["landing page", "newsletter", "Product Hunt", "referral"];
    private static readonly string[] s_regions = ["the EU", "Japan", "Brazil", "Canada"];

    private int _waitlist = 1_200;

    public void Signup(int max = 3)
    {
        var count = w.Between(1, max);
        _waitlist += count;
        w.Add("nova-launch", "signups", "signup", $$"""{"count":{{count}},"channel":"{{w.Pick(s_channels)}}"}""", Source);
    }

    public void Waitlist() => w.Add("nova-launch", "waitlist", "waitlist_size", $$"""{"size":{{_waitlist}}}""", Source);

    public void Inquiry(IReadOnlyList<string> companies) =>
        w.Add("nova-launch", "inquiries", "inquiry_received",
            $$"""{"from":"{{w.Pick(companies)}}","message":"When does Nova ship to {{w.Pick(s_regions)}}?"}""", Source);

    /// <summary>Two weeks of signups with the waitlist's size every three hours: the daily counts and the waitlist chart.</summary>
    public void History(DateTimeOffset now)
    {
        for (var at = now.AddDays(-14).AddMinutes(40); at < now.AddHours(-1); at = at.AddHours(3))
        {
            w.Now = at;
            Signup(12);
            w.Now = at.AddMinutes(1);
            Waitlist();
        }
    }
}
