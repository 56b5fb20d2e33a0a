namespace Pulseboard.Tests.Support;

internal static class Sample
{
    public static Event Make(int n, string? id = null, string dashboard = "costs", int pad = 0) => new()
    {
        Dashboard = dashboard,
        Section = "alerts",
        Action = "budget_warning",
        Source = "tester",
        Id = id,
        Content = Event.ParseContent($$"""{"n":{{n}},"pad":"{{new string('p', pad)}}"}"""),
    };

    public static int N(this Event e) => e.Content.GetProperty("n").GetInt32();
}
