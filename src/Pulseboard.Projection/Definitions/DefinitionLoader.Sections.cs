using Pulseboard.Projection.Sections;
using YamlDotNet.RepresentationModel;

namespace Pulseboard.Projection.Definitions;

public static partial class DefinitionLoader
{
    private static readonly string[] s_aggregates = ["last", "sum", "avg", "min", "max", "count"];

    private static SectionPlan? ReadSection(Reader reader, string dashboard, string id, string field, YamlMappingNode node)
    {
        var kind = reader.Text(node, "kind", field + ".kind");
        if (kind is null || !s_kindKeys.TryGetValue(kind, out var kindKeys))
        {
            reader.Error(Reader.Child(node, "kind")?.Start.Line ?? node.Start.Line, field + ".kind",
                kind is null ? $"is required: one of {string.Join(", ", s_kindKeys.Keys)}" : $"\"{kind}\" is not one of {string.Join(", ", s_kindKeys.Keys)}");
            return null;
        }
        reader.CheckKeys(node, field + ".", ["kind", "title", "from", .. kindKeys], $"a {kind} section");
        var title = reader.Text(node, "title", field + ".title") ?? Humanize(id);
        var from = ReadMatchers(reader, dashboard, id, field + ".from", node);
        SectionPlan? plan = kind switch
        {
            "stat" => ReadStat(reader, field, node, id, title, from),
            "counter" => new CounterSection { Id = id, Title = title, From = from, Value = reader.Path(node, "value", field + ".value") },
            "feed" => ReadFeed(reader, field, node, id, title, from),
            "table" => ReadTable(reader, field, node, id, title, from),
            "timeseries" => ReadTimeseries(reader, field, node, id, title, from),
            "daily" => ReadDaily(reader, field, node, id, title, from),
            _ => ReadHeartbeat(reader, field, node, id, title, from),
        };
        return plan;
    }

    private static StatSection ReadStat(Reader reader, string field, YamlMappingNode node, string id, string title, List<Matcher> from)
    {
        var value = reader.Path(node, "value", field + ".value");
        var text = reader.Template(node, "text", field + ".text");
        if (value is null && text is null && Reader.Child(node, "value") is null && Reader.Child(node, "text") is null)
        {
            value = ValuePath.TryParse("content", out _);
        }
        return new StatSection { Id = id, Title = title, From = from, Value = value, Text = text };
    }

    private static FeedSection ReadFeed(Reader reader, string field, YamlMappingNode node, string id, string title, List<Matcher> from)
    {
        var key = reader.Path(node, "key", field + ".key");
        var removeOn = ReadActions(reader, node, field + ".remove_on");
        if (removeOn.Count > 0 && key is null && Reader.Child(node, "key") is null)
        {
            reader.Error(Reader.Child(node, "remove_on")!.Start.Line, field + ".remove_on", "needs key: the item removed is the one with the event's key");
        }
        return new FeedSection
        {
            Id = id, Title = title, From = from, Key = key, RemoveOn = removeOn,
            Max = reader.Int(node, "max", field + ".max", 1, 1000) ?? 50,
            Text = reader.Template(node, "text", field + ".text"),
        };
    }

    private static TableSection? ReadTable(Reader reader, string field, YamlMappingNode node, string id, string title, List<Matcher> from)
    {
        var key = reader.Path(node, "key", field + ".key");
        if (Reader.Child(node, "key") is null)
        {
            reader.Error(node.Start.Line, field + ".key", "is required: the path that names a row, e.g. source or content.id");
        }
        var columns = ReadColumns(reader, node, field + ".columns", out var columnProblems);
        if (!columnProblems && (Reader.Child(node, "columns") is null || columns.Count is 0 or > 20))
        {
            reader.Error(node.Start.Line, field + ".columns", "is required: 1 to 20 paths, e.g. [source, content.model], or { path: content.model, label: Model }");
        }
        // Read every field before deciding, so each problem is reported even when the section cannot compile.
        var max = reader.Int(node, "max", field + ".max", 1, 1000) ?? 100;
        var removeOn = ReadActions(reader, node, field + ".remove_on");
        return key is null ? null : new TableSection
        {
            Id = id, Title = title, From = from, Key = key, Columns = columns, Max = max, RemoveOn = removeOn,
        };
    }

    private static TimeseriesSection? ReadTimeseries(Reader reader, string field, YamlMappingNode node, string id, string title, List<Matcher> from)
    {
        var aggText = reader.Text(node, "agg", field + ".agg") ?? "last";
        Aggregate? agg = null;
        if (s_aggregates.Contains(aggText))
        {
            agg = Enum.Parse<Aggregate>(aggText, ignoreCase: true);
        }
        else
        {
            // Not returned at once: the other fields are still checked, so every problem is reported together.
            reader.Error(Reader.Child(node, "agg")!.Start.Line, field + ".agg", $"\"{aggText}\" is not one of {string.Join(", ", s_aggregates)}");
        }
        var value = reader.Path(node, "value", field + ".value");
        if (agg is { } a && a != Aggregate.Count && Reader.Child(node, "value") is null)
        {
            reader.Error(node.Start.Line, field + ".value", $"is required for agg: {aggText}: the path of the number, e.g. content.current (only agg: count needs none)");
        }
        var bucket = reader.Duration(node, "bucket", field + ".bucket") ?? TimeSpan.FromHours(1);
        var window = reader.Duration(node, "window", field + ".window") ?? TimeSpan.FromHours(24);
        if (bucket < TimeSpan.FromSeconds(1) || window < bucket || window / bucket > 1000)
        {
            reader.Error(Reader.Child(node, "window")?.Start.Line ?? node.Start.Line, field + ".window",
                "must hold 1 to 1000 buckets of at least 1s: widen bucket or narrow window");
        }
        return agg is null ? null : new TimeseriesSection { Id = id, Title = title, From = from, Value = value, Bucket = bucket, Window = window, Agg = agg.Value };
    }

    private static DailySection ReadDaily(Reader reader, string field, YamlMappingNode node, string id, string title, List<Matcher> from)
    {
        var zone = TimeZoneInfo.Utc;
        if (reader.Text(node, "timezone", field + ".timezone") is { } name && !TimeZoneInfo.TryFindSystemTimeZoneById(name, out zone))
        {
            reader.Error(Reader.Child(node, "timezone")!.Start.Line, field + ".timezone", $"\"{name}\" is not a time zone this machine knows; write an IANA name like Europe/Berlin, or UTC");
            zone = TimeZoneInfo.Utc;
        }
        return new DailySection
        {
            Id = id, Title = title, From = from, Value = reader.Path(node, "value", field + ".value"),
            Days = reader.Int(node, "days", field + ".days", 1, 366) ?? 30, TimeZone = zone!,
        };
    }

    private static HeartbeatSection? ReadHeartbeat(Reader reader, string field, YamlMappingNode node, string id, string title, List<Matcher> from)
    {
        var every = reader.Duration(node, "every", field + ".every");
        if (Reader.Child(node, "every") is null)
        {
            reader.Error(node.Start.Line, field + ".every", "is required: the interval each source promises, e.g. 60s");
        }
        if (every is { } e && e < TimeSpan.FromSeconds(1))
        {
            reader.Error(Reader.Child(node, "every")!.Start.Line, field + ".every", "must be at least 1s");
        }
        var key = reader.Path(node, "key", field + ".key") ?? ValuePath.TryParse("source", out _)!;
        // Read every field before deciding, so each problem is reported even when the section cannot compile.
        var grace = reader.Duration(node, "grace", field + ".grace");
        var text = reader.Template(node, "text", field + ".text");
        var maxSources = reader.Int(node, "max_sources", field + ".max_sources", 1, 10_000) ?? 200;
        return every is null ? null : new HeartbeatSection
        {
            Id = id, Title = title, From = from, Every = every.Value, Key = key,
            Grace = grace ?? every.Value, Text = text, MaxSources = maxSources,
        };
    }

    private static List<string> ReadActions(Reader reader, YamlMappingNode node, string field)
    {
        var actions = new List<string>();
        foreach (var (text, line) in reader.List(node, "remove_on", field) ?? [])
        {
            if (EventRules.IsName(text))
            {
                actions.Add(text);
            }
            else
            {
                reader.Error(line, field, $"\"{text}\" is not an action name ({EventRules.NamePattern})");
            }
        }
        return actions;
    }

    private static string Humanize(string id) =>
        id.Length == 0 ? id : char.ToUpperInvariant(id[0]) + id[1..].Replace('-', ' ');
}
