using System.Text.Json;
using Pulseboard.Projection;
using Pulseboard.Projection.Sections;

namespace Pulseboard.Tests.Projection;

/// <summary>
/// Each kind folds a sequence of events into the exact cache bytes written here; and a state written, loaded back and
/// fed the rest of the events equals one fed them all (what an exactly-once restart relies on).
/// </summary>
public sealed class SectionKindTests
{
    // Bucket starts of the fake day, in Unix seconds.
    private const long T10 = 1795341600, T11 = 1795345200, T12 = 1795348800, T13 = 1795352400, T14 = 1795356000, T15 = 1795359600;

    /// <summary>Asserts the golden cache of <paramref name="events"/>, and that a restart at any point gives the same bytes.</summary>
    private static void Check(SectionPlan plan, ProjectedEvent[] events, string golden)
    {
        var full = Stored.Json(Stored.Apply(plan, events), plan);
        Assert.Equal(golden, full);
        for (var split = 0; split <= events.Length; split++)
        {
            var written = Stored.Json(Stored.Apply(plan, events[..split]), plan);
            using var cached = JsonDocument.Parse(written);
            var restarted = plan.Load(cached.RootElement);
            Assert.Equal(written, Stored.Json(restarted, plan));
            foreach (var e in events[split..])
            {
                restarted.Apply(e);
            }
            Assert.True(full == Stored.Json(restarted, plan), $"restart after {split} events gave\n{Stored.Json(restarted, plan)}\ninstead of\n{full}");
        }
    }

    // ---- stat ----

    [Fact]
    public void Stat_keeps_the_latest_value_and_text()
    {
        var plan = Stored.Section("""
            kind: stat
            title: Budget
            value: content.current
            text: "{content.current} of {content.limit}"
            """);
        Assert.Equal("""{"kind":"stat","title":"Budget","from":"events to costs/s","updated":null,"value":null,"text":null,"seq":0}""", Stored.Json(plan.NewState(), plan));
        Check(plan,
        [
            Stored.Event(1, content: """{"current":100,"limit":500}"""),
            Stored.Event(2, content: """{"current":412,"limit":500}"""),
        ], """{"kind":"stat","title":"Budget","from":"events to costs/s","updated":"2026-11-22T12:00:02Z","value":412,"text":"412 of 500","seq":2}""");
    }

    [Fact]
    public void Stat_without_value_or_text_shows_the_content()
    {
        var plan = Stored.Section("kind: stat");
        Check(plan,
        [
            Stored.Event(1, content: "\"first\""),
            Stored.Event(2, content: """{"a":1,"b":[true,null]}"""),
        ], """{"kind":"stat","title":"S","from":"events to costs/s","updated":"2026-11-22T12:00:02Z","value":{"a":1,"b":[true,null]},"text":"a: 1 \u00B7 b: [true,null]","seq":2}""");
        Check(plan,
        [
            Stored.Event(1, content: """{"a":1}"""),
            Stored.Event(2),
        ], """{"kind":"stat","title":"S","from":"events to costs/s","updated":"2026-11-22T12:00:02Z","value":null,"seq":2}""");
    }

    [Fact]
    public void Stat_with_only_text_writes_no_value()
    {
        var plan = Stored.Section("""
            kind: stat
            text: "{source}: {content.missing}"
            """);
        Check(plan, [Stored.Event(5, source: "haiku")],
            """{"kind":"stat","title":"S","from":"events to costs/s","updated":"2026-11-22T12:00:05Z","text":"haiku: ","seq":5}""");
    }

    [Fact]
    public void Stat_without_text_gives_an_object_value_readable_text_and_nothing_else_one()
    {
        var plan = Stored.Section("""
            kind: stat
            value: content.detail
            """);
        Check(plan, [Stored.Event(1, content: """{"detail":{"run":"r7","status":"done"}}""")],
            """{"kind":"stat","title":"S","from":"events to costs/s","updated":"2026-11-22T12:00:01Z","value":{"run":"r7","status":"done"},"text":"run: r7 \u00B7 status: done","seq":1}""");
        Check(plan, [Stored.Event(1, content: """{"detail":{"run":"r7"}}"""), Stored.Event(2, content: """{"detail":"done"}""")],
            """{"kind":"stat","title":"S","from":"events to costs/s","updated":"2026-11-22T12:00:02Z","value":"done","seq":2}""");
    }

    [Fact]
    public void Stat_whose_template_finds_none_of_its_fields_shows_the_content_readably()
    {
        var plan = Stored.Section("""
            kind: stat
            text: "{content.current} of {content.limit}"
            """);
        Check(plan, [Stored.Event(1, content: """{"note":"no budget yet","n":2}""")],
            """{"kind":"stat","title":"S","from":"events to costs/s","updated":"2026-11-22T12:00:01Z","text":"note: no budget yet \u00B7 n: 2","seq":1}""");
        Check(plan, [Stored.Event(1, content: """{"current":5}""")],
            """{"kind":"stat","title":"S","from":"events to costs/s","updated":"2026-11-22T12:00:01Z","text":"5 of ","seq":1}""");
    }

    // ---- counter ----

    [Fact]
    public void Counter_sums_numbers_and_skips_what_is_not_one()
    {
        var plan = Stored.Section("""
            kind: counter
            title: Leads
            value: content.new
            """);
        Check(plan,
        [
            Stored.Event(1, content: """{"new":3}"""),
            Stored.Event(2, content: """{"new":"4"}"""),
            Stored.Event(3, content: """{"new":2.5}"""),
            Stored.Event(4, content: """{"new":"abc"}"""),
            Stored.Event(5, content: "{}"),
        ], """{"kind":"counter","title":"Leads","from":"events to costs/s","updated":"2026-11-22T12:00:03Z","skipped":2,"value":9.5,"count":3}""");
    }

    [Fact]
    public void Counter_without_value_counts_events()
    {
        var plan = Stored.Section("kind: counter");
        Assert.Equal("""{"kind":"counter","title":"S","from":"events to costs/s","updated":null,"value":0,"count":0}""", Stored.Json(plan.NewState(), plan));
        Check(plan, [Stored.Event(1), Stored.Event(2, content: "\"x\""), Stored.Event(3)],
            """{"kind":"counter","title":"S","from":"events to costs/s","updated":"2026-11-22T12:00:03Z","value":3,"count":3}""");
    }

    // ---- feed ----

    private static readonly string s_feedYaml = """
        kind: feed
        title: Alerts
        max: 3
        key: content.id
        remove_on: [resolved]
        text: "{action}: {content.msg}"
        """;

    private static ProjectedEvent[] FeedEvents() =>
    [
        Stored.Event(1, content: """{"id":"a","msg":"one"}""", source: "haiku", priority: "high"),
        Stored.Event(2, content: """{"id":"b","msg":"two"}"""),
        Stored.Event(3, content: """{"id":"a","msg":"three"}""", source: "qwen", priority: "critical"),
        Stored.Event(4, action: "task", content: """{"id":"c","msg":"four"}"""),
        Stored.Event(5, action: "resolved", content: """{"id":"b"}"""),
        Stored.Event(6, action: "x", content: """{"id":"d","msg":"six"}"""),
        Stored.Event(7, action: "x", content: """{"id":"e","msg":"seven"}"""),
    ];

    [Fact]
    public void Feed_upserts_by_key_moving_the_item_to_the_top()
    {
        var plan = Stored.Section(s_feedYaml);
        Check(plan, FeedEvents()[..3], """
            {"kind":"feed","title":"Alerts","from":"events to costs/s","updated":"2026-11-22T12:00:03Z","max":3,"items":[{"key":"a","text":"budget_warning: three","action":"budget_warning","priority":"critical","source":"qwen","at":"2026-11-22T12:00:03Z","seq":3},{"key":"b","text":"budget_warning: two","action":"budget_warning","priority":"normal","at":"2026-11-22T12:00:02Z","seq":2}]}
            """);
    }

    [Fact]
    public void Feed_removes_on_the_named_actions()
    {
        var plan = Stored.Section(s_feedYaml);
        Check(plan, FeedEvents()[..5], """
            {"kind":"feed","title":"Alerts","from":"events to costs/s","updated":"2026-11-22T12:00:05Z","max":3,"items":[{"key":"c","text":"task: four","action":"task","priority":"normal","at":"2026-11-22T12:00:04Z","seq":4},{"key":"a","text":"budget_warning: three","action":"budget_warning","priority":"critical","source":"qwen","at":"2026-11-22T12:00:03Z","seq":3}]}
            """);
    }

    [Fact]
    public void Feed_keeps_at_most_max_items_newest_first()
    {
        var plan = Stored.Section(s_feedYaml);
        Check(plan, FeedEvents(), """
            {"kind":"feed","title":"Alerts","from":"events to costs/s","updated":"2026-11-22T12:00:07Z","max":3,"items":[{"key":"e","text":"x: seven","action":"x","priority":"normal","at":"2026-11-22T12:00:07Z","seq":7},{"key":"d","text":"x: six","action":"x","priority":"normal","at":"2026-11-22T12:00:06Z","seq":6},{"key":"c","text":"task: four","action":"task","priority":"normal","at":"2026-11-22T12:00:04Z","seq":4}]}
            """);
    }

    [Fact]
    public void Feed_without_key_lists_every_event_with_the_content_as_text()
    {
        var plan = Stored.Section("""
            kind: feed
            max: 2
            """);
        Check(plan,
        [
            Stored.Event(1, content: "\"hello\""),
            Stored.Event(2, content: "\"again\""),
            Stored.Event(3, content: "412", source: "haiku"),
        ], """
            {"kind":"feed","title":"S","from":"events to costs/s","updated":"2026-11-22T12:00:03Z","max":2,"items":[{"text":"412","action":"budget_warning","priority":"normal","source":"haiku","at":"2026-11-22T12:00:03Z","seq":3},{"text":"again","action":"budget_warning","priority":"normal","at":"2026-11-22T12:00:02Z","seq":2}]}
            """);
    }

    [Fact]
    public void Feed_without_text_shows_an_object_as_key_value_text()
    {
        var plan = Stored.Section("kind: feed");
        Check(plan,
        [
            Stored.Event(1, content: """{ "run" : "r7", "status" : "done", "n" : 3, "ok" : true, "none" : null, "detail" : { "a" : [ 1, 2 ] }, "tags" : [ "x" ] }"""),
            Stored.Event(2, content: "[1, 2]"),
        ], """
            {"kind":"feed","title":"S","from":"events to costs/s","updated":"2026-11-22T12:00:02Z","max":50,"items":[{"text":"[1,2]","action":"budget_warning","priority":"normal","at":"2026-11-22T12:00:02Z","seq":2},{"text":"run: r7 \u00B7 status: done \u00B7 n: 3 \u00B7 ok: true \u00B7 none: null \u00B7 detail: {\u0022a\u0022:[1,2]} \u00B7 tags: [\u0022x\u0022]","action":"budget_warning","priority":"normal","at":"2026-11-22T12:00:01Z","seq":1}]}
            """);
    }

    [Fact]
    public void Feed_template_that_finds_none_of_its_fields_falls_back_to_the_content()
    {
        var plan = Stored.Section("""
            kind: feed
            text: "{content.message}{content.category}"
            """);
        Check(plan,
        [
            Stored.Event(1, content: """{"run":"r7","status":"done"}"""),
            Stored.Event(2, content: """{"category":"gpu"}"""),
            Stored.Event(3, content: "\"plain\""),
        ], """
            {"kind":"feed","title":"S","from":"events to costs/s","updated":"2026-11-22T12:00:03Z","max":50,"items":[{"text":"plain","action":"budget_warning","priority":"normal","at":"2026-11-22T12:00:03Z","seq":3},{"text":"gpu","action":"budget_warning","priority":"normal","at":"2026-11-22T12:00:02Z","seq":2},{"text":"run: r7 \u00B7 status: done","action":"budget_warning","priority":"normal","at":"2026-11-22T12:00:01Z","seq":1}]}
            """);
    }

    // ---- table ----

    private static readonly string s_tableYaml = """
        kind: table
        title: Agents
        key: source
        columns: [source, content.model, content.tokens_per_s]
        max: 2
        remove_on: [gone]
        """;

    private static ProjectedEvent[] TableEvents() =>
    [
        Stored.Event(1, action: "heartbeat", source: "a", content: """{"model":"m1","tokens_per_s":10}"""),
        Stored.Event(2, action: "heartbeat", source: "b", content: """{"model":"m2","tokens_per_s":20}"""),
        Stored.Event(3, action: "heartbeat", source: "a", content: """{"model":"m1","tokens_per_s":12.5}"""),
        Stored.Event(4, action: "heartbeat", source: "c", content: """{"model":"m3"}"""),
        Stored.Event(5, action: "heartbeat", content: """{"model":"m4"}"""),
        Stored.Event(6, action: "gone", source: "c"),
    ];

    [Fact]
    public void Table_columns_are_headed_by_their_labels()
    {
        var plan = Stored.Section("""
            kind: table
            key: source
            columns: [source, { path: content.tokens_per_s, label: "Tokens/s" }, { path: content.model }]
            """);
        Check(plan, [Stored.Event(1, source: "a", content: """{"tokens_per_s":12.5,"model":"m1"}""")],
            """{"kind":"table","title":"S","from":"events to costs/s","updated":"2026-11-22T12:00:01Z","columns":["source","Tokens/s","model"],"rows":[{"key":"a","cells":["a",12.5,"m1"],"at":"2026-11-22T12:00:01Z"}]}""");
    }

    [Fact]
    public void Table_upserts_rows_by_key_most_recent_first()
    {
        var plan = Stored.Section(s_tableYaml);
        Check(plan, TableEvents()[..3], """
            {"kind":"table","title":"Agents","from":"events to costs/s","updated":"2026-11-22T12:00:03Z","columns":["source","model","tokens_per_s"],"rows":[{"key":"a","cells":["a","m1",12.5],"at":"2026-11-22T12:00:03Z"},{"key":"b","cells":["b","m2",20],"at":"2026-11-22T12:00:02Z"}]}
            """);
    }

    [Fact]
    public void Table_caps_rows_and_skips_events_without_a_key()
    {
        var plan = Stored.Section(s_tableYaml);
        Check(plan, TableEvents()[..5], """
            {"kind":"table","title":"Agents","from":"events to costs/s","updated":"2026-11-22T12:00:04Z","skipped":1,"columns":["source","model","tokens_per_s"],"rows":[{"key":"c","cells":["c","m3",null],"at":"2026-11-22T12:00:04Z"},{"key":"a","cells":["a","m1",12.5],"at":"2026-11-22T12:00:03Z"}]}
            """);
    }

    [Fact]
    public void Table_removes_a_row_on_the_named_actions()
    {
        var plan = Stored.Section(s_tableYaml);
        Check(plan, TableEvents(), """
            {"kind":"table","title":"Agents","from":"events to costs/s","updated":"2026-11-22T12:00:06Z","skipped":1,"columns":["source","model","tokens_per_s"],"rows":[{"key":"a","cells":["a","m1",12.5],"at":"2026-11-22T12:00:03Z"}]}
            """);
    }

    // ---- timeseries ----

    private static ProjectedEvent V(long seq, DateTimeOffset at, string v) => Stored.Event(seq, section: "spend", action: "spent", content: $$"""{"v":{{v}}}""", at: at);

    [Theory]
    [InlineData("last", 2, "[[T13,1,3],[T14,7,2],[T15,2,1]]")]
    [InlineData("sum", 2, "[[T13,9,3],[T14,17,2],[T15,2,1]]")]
    [InlineData("avg", 2, "[[T13,3,3,9],[T14,8.5,2,17],[T15,2,1,2]]")]
    [InlineData("min", 2, "[[T13,1,3],[T14,7,2],[T15,2,1]]")]
    [InlineData("max", 2, "[[T13,5,3],[T14,10,2],[T15,2,1]]")]
    [InlineData("count", 1, "[[T13,3,3],[T14,3,3],[T15,1,1]]")]
    public void Timeseries_folds_each_bucket_by_its_agg(string agg, int skipped, string points)
    {
        points = points.Replace("T13", $"{T13}", StringComparison.Ordinal).Replace("T14", $"{T14}", StringComparison.Ordinal).Replace("T15", $"{T15}", StringComparison.Ordinal);
        var plan = Stored.Section($"""
            kind: timeseries
            title: Spend
            value: content.v
            bucket: 1h
            window: 3h
            agg: {agg}
            """);
        Check(plan,
        [
            V(1, Stored.At(13, 10), "5"),
            V(2, Stored.At(13, 20), "3"),
            V(3, Stored.At(14, 5), "10"),
            V(4, Stored.At(13, 50), "1"),      // out of order, inside the window
            V(5, Stored.At(14, 30), "\"7\""),  // a numeric string
            V(6, Stored.At(14, 40), "\"abc\""), // not a number: skipped unless counting
            V(7, Stored.At(15, 10), "2"),
            V(8, Stored.At(12, 30), "4"),      // its bucket is a full window behind the newest: skipped
        ], $$"""{"kind":"timeseries","title":"Spend","from":"events to costs/s","updated":"2026-11-22T15:10:00Z","skipped":{{skipped}},"bucket":3600,"window":10800,"agg":"{{agg}}","points":{{points}}}""");
    }

    [Fact]
    public void Timeseries_trims_the_window_behind_the_newest_bucket_and_skips_late_events()
    {
        var plan = Stored.Section("""
            kind: timeseries
            value: content.v
            bucket: 1h
            window: 3h
            agg: sum
            """);
        ProjectedEvent[] events =
        [
            V(1, Stored.At(10), "1"),
            V(2, Stored.At(11), "2"),
            V(3, Stored.At(12), "3"),
            V(4, Stored.At(13), "4"),
            V(5, Stored.At(10, 30), "5"),
            V(6, Stored.At(11, 59, 59), "6"),
        ];
        Check(plan, events[..3], $$"""{"kind":"timeseries","title":"S","from":"events to costs/s","updated":"2026-11-22T12:00:00Z","bucket":3600,"window":10800,"agg":"sum","points":[[{{T10}},1,1],[{{T11}},2,1],[{{T12}},3,1]]}""");
        Check(plan, events, $$"""{"kind":"timeseries","title":"S","from":"events to costs/s","updated":"2026-11-22T13:00:00Z","skipped":1,"bucket":3600,"window":10800,"agg":"sum","points":[[{{T11}},8,2],[{{T12}},3,1],[{{T13}},4,1]]}""");
    }

    [Fact]
    public void Timeseries_count_needs_no_value()
    {
        var plan = Stored.Section("""
            kind: timeseries
            bucket: 30m
            window: 1h
            agg: count
            """);
        Check(plan, [Stored.Event(1, at: Stored.At(12, 10)), Stored.Event(2, at: Stored.At(12, 29, 59)), Stored.Event(3, at: Stored.At(12, 30))],
            $$"""{"kind":"timeseries","title":"S","from":"events to costs/s","updated":"2026-11-22T12:30:00Z","bucket":1800,"window":3600,"agg":"count","points":[[{{T12}},2,2],[{{T12 + 1800}},1,1]]}""");
    }

    // ---- daily ----

    private static ProjectedEvent D(long seq, DateTimeOffset at, string n) => Stored.Event(seq, section: "tasks", action: "task_completed", content: $$"""{"n":{{n}}}""", at: at);

    [Fact]
    public void Daily_sums_per_day_in_its_time_zone_and_trims_to_days()
    {
        var plan = Stored.Section("""
            kind: daily
            title: Velocity
            value: content.n
            days: 3
            timezone: Europe/Berlin
            """);
        ProjectedEvent[] events =
        [
            D(1, Stored.At(10, day: 20), "1"),
            D(2, Stored.At(23, 30, day: 20), "2"),  // 00:30 on the 21st in Berlin
            D(3, Stored.At(22, 30, day: 22), "3"),  // 23:30 on the 22nd in Berlin
            D(4, Stored.At(23, 30, day: 22), "4"),  // the 23rd in Berlin: the 20th falls out
            D(5, Stored.At(12, day: 19), "5"),      // older than the days kept: skipped
            D(6, Stored.At(12, day: 23), "\"2.5\""),
            D(7, Stored.At(13, day: 23), "\"x\""),  // not a number: skipped
        ];
        Check(plan, events[..3], """{"kind":"daily","title":"Velocity","from":"events to costs/s","updated":"2026-11-22T22:30:00Z","days":3,"timezone":"Europe/Berlin","values":[["2026-11-20",1],["2026-11-21",2],["2026-11-22",3]]}""");
        Check(plan, events, """{"kind":"daily","title":"Velocity","from":"events to costs/s","updated":"2026-11-23T12:00:00Z","skipped":2,"days":3,"timezone":"Europe/Berlin","values":[["2026-11-21",2],["2026-11-22",3],["2026-11-23",6.5]]}""");
    }

    [Fact]
    public void Daily_without_value_counts_events_per_utc_day()
    {
        var plan = Stored.Section("kind: daily");
        Check(plan, [Stored.Event(1, at: Stored.At(0)), Stored.Event(2, at: Stored.At(23, 59, 59)), Stored.Event(3, at: Stored.At(0, day: 23))],
            """{"kind":"daily","title":"S","from":"events to costs/s","updated":"2026-11-23T00:00:00Z","days":30,"timezone":"UTC","values":[["2026-11-22",2],["2026-11-23",1]]}""");
    }

    // ---- heartbeat ----

    private static ProjectedEvent Beat(long seq, string? source, DateTimeOffset at, int tps) =>
        Stored.Event(seq, dashboard: "fleet", section: "models", action: "heartbeat", source: source, at: at, content: $$"""{"tps":{{tps}}}""");

    private static readonly string s_heartbeatYaml = """
        kind: heartbeat
        title: Fleet
        every: 60s
        text: "{content.tps} tok/s"
        max_sources: 2
        """;

    private static ProjectedEvent[] Beats() =>
    [
        Beat(1, "a", Stored.At(12), 10),
        Beat(2, "b", Stored.At(12, 0, 30), 20),
        Beat(3, "a", Stored.At(12, 1), 11),
        Beat(4, "a", Stored.At(12, 0, 45), 9),  // older than a's last beat: changes nothing
        Beat(5, null, Stored.At(12, 1, 10), 1), // no source: skipped
        Beat(6, "c", Stored.At(12, 2), 30),     // a third source: b, silent longest, is dropped
        Beat(7, "b", Stored.At(12, 1, 30), 21), // b again: now a is silent longest
    ];

    [Fact]
    public void Heartbeat_keeps_the_latest_time_per_source()
    {
        var plan = Stored.Section(s_heartbeatYaml);
        Check(plan, Beats()[..5], """
            {"kind":"heartbeat","title":"Fleet","from":"events to costs/s","updated":"2026-11-22T12:01:00Z","skipped":1,"every":60,"grace":60,"sources":[{"key":"a","last":"2026-11-22T12:01:00Z","text":"11 tok/s","seq":3},{"key":"b","last":"2026-11-22T12:00:30Z","text":"20 tok/s","seq":2}]}
            """);
    }

    [Fact]
    public void Heartbeat_drops_the_longest_silent_source_over_max_sources()
    {
        var plan = Stored.Section(s_heartbeatYaml);
        Check(plan, Beats()[..6], """
            {"kind":"heartbeat","title":"Fleet","from":"events to costs/s","updated":"2026-11-22T12:02:00Z","skipped":1,"every":60,"grace":60,"sources":[{"key":"a","last":"2026-11-22T12:01:00Z","text":"11 tok/s","seq":3},{"key":"c","last":"2026-11-22T12:02:00Z","text":"30 tok/s","seq":6}]}
            """);
        Check(plan, Beats(), """
            {"kind":"heartbeat","title":"Fleet","from":"events to costs/s","updated":"2026-11-22T12:02:00Z","skipped":1,"every":60,"grace":60,"sources":[{"key":"b","last":"2026-11-22T12:01:30Z","text":"21 tok/s","seq":7},{"key":"c","last":"2026-11-22T12:02:00Z","text":"30 tok/s","seq":6}]}
            """);
    }

    [Fact]
    public void Heartbeat_with_a_key_grace_and_no_text()
    {
        var plan = Stored.Section("""
            kind: heartbeat
            every: 5m
            grace: 30s
            key: content.host
            """);
        Check(plan,
        [
            Stored.Event(1, action: "heartbeat", content: """{"host":"gpu-2"}"""),
            Stored.Event(2, action: "heartbeat", content: """{"host":"gpu-1"}"""),
        ], """{"kind":"heartbeat","title":"S","from":"events to costs/s","updated":"2026-11-22T12:00:02Z","every":300,"grace":30,"sources":[{"key":"gpu-1","last":"2026-11-22T12:00:02Z","seq":2},{"key":"gpu-2","last":"2026-11-22T12:00:01Z","seq":1}]}""");
    }

    [Fact]
    public void Heartbeat_text_is_left_out_when_its_template_finds_none_of_its_fields()
    {
        var plan = Stored.Section("""
            kind: heartbeat
            every: 60s
            text: "{content.tokens_per_s} tok/s, {content.latency_ms} ms"
            """);
        Check(plan,
        [
            Stored.Event(1, action: "heartbeat", source: "a", content: """{"status":"idle"}"""),
            Stored.Event(2, action: "heartbeat", source: "b", content: """{"latency_ms":40}"""),
        ], """{"kind":"heartbeat","title":"S","from":"events to costs/s","updated":"2026-11-22T12:00:02Z","every":60,"grace":60,"sources":[{"key":"a","last":"2026-11-22T12:00:01Z","seq":1},{"key":"b","last":"2026-11-22T12:00:02Z","text":" tok/s, 40 ms","seq":2}]}""");
    }

    [Theory]
    [InlineData(-5, nameof(HeartbeatStatus.Up))]
    [InlineData(0, nameof(HeartbeatStatus.Up))]
    [InlineData(90, nameof(HeartbeatStatus.Up))]    // every + grace
    [InlineData(91, nameof(HeartbeatStatus.Late))]
    [InlineData(210, nameof(HeartbeatStatus.Late))] // 3 × every + grace
    [InlineData(211, nameof(HeartbeatStatus.Down))]
    [InlineData(86400, nameof(HeartbeatStatus.Down))]
    public void Heartbeat_status_follows_every_and_grace(int silentSeconds, string expected) // a name: HeartbeatStatus is internal
    {
        var last = Stored.At(12);
        Assert.Equal(Enum.Parse<HeartbeatStatus>(expected), HeartbeatSection.StatusAt(last, last.AddSeconds(silentSeconds), TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(30)));
    }

    // ---- all kinds ----

    [Fact]
    public void Times_keep_their_offset_and_fraction_through_a_restart()
    {
        var plus1 = TimeSpan.FromHours(1);
        ProjectedEvent[] events =
        [
            Stored.Event(1, source: "a", content: """{"id":"x","n":1}""", at: new DateTimeOffset(2026, 11, 22, 23, 30, 0, 250, plus1)),
            Stored.Event(2, source: "b", content: """{"id":"y","n":2}""", at: new DateTimeOffset(2026, 11, 22, 22, 30, 0, 500, TimeSpan.Zero)),
            Stored.Event(3, source: "a", content: """{"id":"x","n":3}""", at: new DateTimeOffset(2026, 11, 23, 0, 15, 0, 125, plus1)),
        ];
        Check(Stored.Section("kind: feed\nkey: content.id\ntext: \"{content.n} at {timestamp}\""), events, """
            {"kind":"feed","title":"S","from":"events to costs/s","updated":"2026-11-23T00:15:00.125+01:00","max":50,"items":[{"key":"x","text":"3 at 2026-11-22T23:15:00.125Z","action":"budget_warning","priority":"normal","source":"a","at":"2026-11-23T00:15:00.125+01:00","seq":3},{"key":"y","text":"2 at 2026-11-22T22:30:00.5Z","action":"budget_warning","priority":"normal","source":"b","at":"2026-11-22T22:30:00.5Z","seq":2}]}
            """);
        Check(Stored.Section("kind: heartbeat\nevery: 60s"), events, """
            {"kind":"heartbeat","title":"S","from":"events to costs/s","updated":"2026-11-23T00:15:00.125+01:00","every":60,"grace":60,"sources":[{"key":"a","last":"2026-11-23T00:15:00.125+01:00","seq":3},{"key":"b","last":"2026-11-22T22:30:00.5Z","seq":2}]}
            """);
        Check(Stored.Section("kind: daily\nvalue: content.n"), events, """
            {"kind":"daily","title":"S","from":"events to costs/s","updated":"2026-11-23T00:15:00.125+01:00","days":30,"timezone":"UTC","values":[["2026-11-22",6]]}
            """);
    }

    [Fact]
    public void A_replay_gives_the_same_bytes_for_every_sample_section()
    {
        // Every section of every sample dashboard, fed a mixed stream twice, writes identical bytes.
        var set = Pulseboard.Projection.Definitions.DefinitionLoader.LoadDirectory(Path.Combine(Support.Repo.Root, "dashboards"));
        Assert.Empty(set.Errors);
        var events = Enumerable.Range(1, 60).Select(i => Stored.Event(i,
            dashboard: set.Dashboards[i % set.Dashboards.Count].Id,
            section: (i % 4) switch { 0 => "alerts", 1 => "spend", 2 => "tasks", _ => "models" },
            action: (i % 5) switch { 0 => "heartbeat", 1 => "budget_warning", 2 => "task_completed", 3 => "resolved", _ => "lead_found" },
            priority: (i % 7) == 0 ? "critical" : null,
            source: i % 3 == 0 ? null : $"agent-{i % 4}",
            at: Stored.At(12).AddMinutes(i * 37),
            content: $$"""{"id":"k{{i % 6}}","usd":{{i}},"current":{{i * 3}},"n":"{{i}}","model":"m{{i % 2}}","tokens_per_s":{{i}}.5}""")).ToArray();
        foreach (var definition in set.Dashboards)
        {
            foreach (var plan in definition.Sections)
            {
                var taken = events.Where(plan.Takes).ToArray();
                Check(plan, taken, Stored.Json(Stored.Apply(plan, taken), plan));
            }
        }
    }
}
