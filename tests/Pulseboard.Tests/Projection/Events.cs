using System.Buffers;
using System.Text;
using System.Text.Json;
using Pulseboard.Log;
using Pulseboard.Projection;
using Pulseboard.Projection.Definitions;
using Pulseboard.Projection.Sections;

namespace Pulseboard.Tests.Projection;

/// <summary>Builds events as the projector reads them (stored log lines), with fake times.</summary>
internal static class Stored
{
    /// <summary>The fake clock's start: 2026-11-22T12:00:00Z.</summary>
    public static readonly DateTimeOffset T0 = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);

    /// <summary>A time on the fake clock: 2026-11-<paramref name="day"/> at the given UTC time.</summary>
    public static DateTimeOffset At(int hour, int minute = 0, int second = 0, int day = 22) =>
        new(2026, 11, day, hour, minute, second, TimeSpan.Zero);

    /// <summary>
    /// A stored event. <paramref name="at"/> is the event's timestamp, kept with its offset (and its receipt time, in UTC); <paramref name="content"/>
    /// is raw JSON, or null for none.
    /// </summary>
    public static ProjectedEvent Event(
        long seq,
        string dashboard = "costs",
        string section = "alerts",
        string action = "budget_warning",
        string? content = null,
        string? priority = null,
        DateTimeOffset? at = null,
        string? source = null,
        string? id = null,
        bool withTimestamp = true)
    {
        var time = at ?? T0.AddSeconds(seq);
        var line = new StringBuilder();
        line.Append("{\"seq\":").Append(seq)
            .Append(",\"received\":").Append(Time(time))
            .Append(",\"dashboard\":").Append(Quote(dashboard))
            .Append(",\"section\":").Append(Quote(section))
            .Append(",\"action\":").Append(Quote(action));
        if (id is not null)
        {
            line.Append(",\"id\":").Append(Quote(id));
        }
        if (priority is not null)
        {
            line.Append(",\"priority\":").Append(Quote(priority));
        }
        if (withTimestamp)
        {
            line.Append(",\"timestamp\":").Append(time.Offset == TimeSpan.Zero ? Time(time)
                : "\"" + time.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFFzzz", System.Globalization.CultureInfo.InvariantCulture) + "\"");
        }
        if (source is not null)
        {
            line.Append(",\"source\":").Append(Quote(source));
        }
        if (content is not null)
        {
            line.Append(",\"content\":").Append(content);
        }
        line.Append('}');
        return ProjectedEvent.Read(new LogRecord(seq, Encoding.UTF8.GetBytes(line.ToString())));
    }

    /// <summary>A time as a JSON string, the way the log stores it.</summary>
    public static string Time(DateTimeOffset time) =>
        "\"" + time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", System.Globalization.CultureInfo.InvariantCulture) + "\"";

    private static string Quote(string text) => "\"" + JsonEncodedText.Encode(text).ToString() + "\"";

    /// <summary>Parses one definition, failing the test with every message when it has problems.</summary>
    public static DashboardDefinition Definition(string yaml, string file = "costs.yaml")
    {
        var errors = new List<DefinitionError>();
        var definition = DefinitionLoader.Parse(file, file, Encoding.UTF8.GetBytes(yaml), errors);
        Assert.True(errors.Count == 0, string.Join("\n", errors));
        return definition!;
    }

    /// <summary>The one section of a definition holding a single section.</summary>
    public static SectionPlan Section(string sectionYaml, string id = "s")
    {
        var indented = string.Join("\n", sectionYaml.Split('\n').Select(l => "    " + l));
        return Assert.Single(Definition($"title: T\nsections:\n  {id}:\n{indented}\n").Sections);
    }

    /// <summary>The section object a state writes, as compact UTF-8 JSON text.</summary>
    public static string Json(SectionState state, SectionPlan plan)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            state.Write(writer, plan);
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>A fresh state with every event applied in order.</summary>
    public static SectionState Apply(SectionPlan plan, IEnumerable<ProjectedEvent> events)
    {
        var state = plan.NewState();
        foreach (var e in events)
        {
            state.Apply(e);
        }
        return state;
    }
}
