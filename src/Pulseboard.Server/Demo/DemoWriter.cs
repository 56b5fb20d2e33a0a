using System.Globalization;

namespace Pulseboard.Server.Demo;

/// <summary>
/// What the simulated agents write into: the events of one tick (or of the history), stamped with the moment they
/// happen, and the seeded dice every agent rolls, so a demo run is the same run every time.
/// </summary>
internal sealed class DemoWriter(int seed)
{
    private readonly List<Event> _events = [];

    /// <summary>The dice; one seeded generator for every agent, so the whole demo is reproducible.</summary>
    public Random Random { get; } = new(seed);

    /// <summary>When the events being written happen: a past moment while seeding the history, else the clock's now.</summary>
    public DateTimeOffset Now { get; set; }

    /// <summary>The day of <see cref="Now"/>, for due dates and deadlines.</summary>
    public DateOnly Today => DateOnly.FromDateTime(Now.UtcDateTime);

    /// <summary>Hands over what was written since the last call.</summary>
    public List<Event> Take()
    {
        var events = _events.ToList();
        _events.Clear();
        return events;
    }

    /// <summary>
    /// Writes one event. The content is an interpolated JSON text formatted with the invariant culture, so numbers
    /// are JSON whatever the machine's culture; the values put into it are the demo's own names, never quotes.
    /// </summary>
    public void Add(string dashboard, string section, string action, FormattableString content, string source, Priority priority = Priority.Normal) =>
        _events.Add(new Event
        {
            Dashboard = dashboard,
            Section = section,
            Action = action,
            Source = source,
            Priority = priority,
            Timestamp = Now, // agents say when it happened, so history and live events are read the same way
            Content = Event.ParseContent(content.ToString(CultureInfo.InvariantCulture)),
        });

    /// <summary>Writes an event as made elsewhere (the compatible endpoints' shapes), stamped with <see cref="Now"/>.</summary>
    public void Add(Event e) => _events.Add(e.WithTimestamp(Now));

    public T Pick<T>(IReadOnlyList<T> choices) => choices[Random.Next(choices.Count)];

    /// <summary>A whole number in [min, max].</summary>
    public int Between(int min, int max) => Random.Next(min, max + 1);

    /// <summary>A value in [min, max) with two decimals, like money or a measured rate.</summary>
    public double Amount(double min, double max) => Math.Round(min + (Random.NextDouble() * (max - min)), 2);

    public bool Chance(double probability) => Random.NextDouble() < probability;
}
