using System.Text;

namespace Pulseboard.Tests.Events;

public sealed class EventJsonTests
{
    private static (Event? Event, List<EventError> Errors) Parse(string json, int max = EventRules.DefaultMaxEventBytes)
    {
        var errors = new List<EventError>();
        return (EventJson.Parse(Encoding.UTF8.GetBytes(json), errors, max), errors);
    }

    [Fact]
    public void A_full_event_parses_with_every_field()
    {
        var (e, errors) = Parse("""{"dashboard":"costs","section":"alerts","action":"budget_warning","content":{"current":412},"priority":"critical","timestamp":"2026-11-22T15:03:00.25+01:00","source":"haiku","id":"a-1"}""");
        Assert.Empty(errors);
        Assert.NotNull(e);
        Assert.Equal(("costs", "alerts", "budget_warning"), (e.Dashboard, e.Section, e.Action));
        Assert.Equal(412, e.Content.GetProperty("current").GetInt32());
        Assert.Equal(Priority.Critical, e.Priority);
        Assert.Equal(new DateTimeOffset(2026, 11, 22, 15, 3, 0, 250, TimeSpan.FromHours(1)), e.Timestamp);
        Assert.Equal(("haiku", "a-1"), (e.Source, e.Id));
    }

    [Fact]
    public void Defaults_are_normal_priority_and_no_timestamp()
    {
        var (e, _) = Parse("""{"dashboard":"a","section":"b","action":"c"}""");
        Assert.Equal(Priority.Normal, e!.Priority);
        Assert.Null(e.Timestamp);
        Assert.Null(e.Source);
        Assert.Equal(System.Text.Json.JsonValueKind.Undefined, e.Content.ValueKind);
    }

    [Theory]
    [InlineData("""{"dashboard":"../etc","section":"b","action":"c"}""", "dashboard", """dashboard: "../etc" is not a slug (^[a-z0-9][a-z0-9-]{0,62}$)""")]
    [InlineData("""{"section":"b","action":"c"}""", "dashboard", "dashboard: is required, a slug (^[a-z0-9][a-z0-9-]{0,62}$)")]
    [InlineData("""{"dashboard":"a","section":"B","action":"c"}""", "section", """section: "B" is not a slug (^[a-z0-9][a-z0-9-]{0,62}$)""")]
    [InlineData("""{"dashboard":"a","section":"b","action":"no spaces"}""", "action", """action: "no spaces" is not a name (^[A-Za-z0-9_.:-]{1,64}$)""")]
    [InlineData("""{"dashboard":"a","section":"b","action":"c","source":"x/y"}""", "source", """source: "x/y" is not a name (^[A-Za-z0-9_.:-]{1,64}$)""")]
    [InlineData("""{"dashboard":"a","section":"b","action":"c","priority":"urgent"}""", "priority", """priority: "urgent" is not one of low, normal, high, critical""")]
    [InlineData("""{"dashboard":"a","section":"b","action":"c","timestamp":"yesterday"}""", "timestamp", """timestamp: "yesterday" is not an RFC 3339 date-time; write it like 2026-11-22T14:03:00Z or 2026-11-22T15:03:00.25+01:00""")]
    [InlineData("""{"dashboard":"a","section":"b","action":"c","id":""}""", "id", "id: must be 1 to 128 characters long, not 0")]
    [InlineData("""{"dashboard":"a","section":"b","action":"c","colour":"red"}""", "colour", "\"colour\": unknown field; an event has dashboard, section, action, content, priority, timestamp, source, id")]
    [InlineData("""{"dashboard":"a","dashboard":"b","section":"b","action":"c"}""", "dashboard", "dashboard: appears twice; send each field once")]
    [InlineData("""{"dashboard":5,"section":"b","action":"c"}""", "dashboard", "dashboard: must be a string, not a number")]
    [InlineData("""[{"dashboard":"a"}]""", "", "event: must be a JSON object, not an array")]
    [InlineData("""{"dashboard":"a","section":"b","action":"c","content":{"x":1,"x":2}}""", "content", "content: Duplicate property 'x' encountered during deserialization.")]
    public void Each_broken_rule_is_named_with_its_field(string json, string field, string message)
    {
        var (e, errors) = Parse(json);
        Assert.Null(e);
        var error = Assert.Single(errors, x => x.Field == field);
        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void Every_problem_of_one_event_is_reported_at_once()
    {
        var (_, errors) = Parse("""{"dashboard":"A","section":"b c","action":"","priority":"x","extra":1}""");
        Assert.Equal(["action", "dashboard", "extra", "priority", "section"], errors.Select(e => e.Field).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Malformed_json_names_the_byte_offset()
    {
        var (_, errors) = Parse("""{"dashboard":"a","section":}""");
        var error = Assert.Single(errors);
        Assert.StartsWith("event: malformed JSON at byte ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Invalid_utf8_is_refused_with_its_offset()
    {
        var bytes = Encoding.UTF8.GetBytes("""{"dashboard":"a","section":"b","action":"c","content":"xx"}""");
        bytes[^3] = 0xFF;
        var errors = new List<EventError>();
        Assert.Null(EventJson.Parse(bytes, errors));
        Assert.Equal($"event: not valid UTF-8 (first bad byte at offset {bytes.Length - 3}); send UTF-8 text", Assert.Single(errors).Message);
    }

    [Fact]
    public void Too_large_an_event_is_refused_before_parsing()
    {
        var json = $$"""{"dashboard":"a","section":"b","action":"c","content":"{{new string('x', 300)}}"}""";
        var (_, errors) = Parse(json, max: 256);
        Assert.Equal($"event: {Encoding.UTF8.GetByteCount(json)} bytes serialized, over the limit of 256 bytes; send less content or raise the limit", Assert.Single(errors).Message);
    }

    [Fact]
    public void Nesting_deeper_than_64_is_refused()
    {
        var json = """{"dashboard":"a","section":"b","action":"c","content":""" + new string('[', 100) + new string(']', 100) + "}";
        var (e, errors) = Parse(json);
        Assert.Null(e);
        Assert.Contains("depth", Assert.Single(errors).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Untrusted_values_are_quoted_escaped_and_cut_in_messages()
    {
        var (_, errors) = Parse($$"""{"dashboard":"<script>\n{{new string('a', 100)}}","section":"b","action":"c"}""");
        var message = Assert.Single(errors).Message;
        Assert.DoesNotContain("<script>", message, StringComparison.Ordinal);
        Assert.DoesNotContain("\n", message, StringComparison.Ordinal);
        Assert.Contains("…", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Writing_then_parsing_gives_the_same_event()
    {
        var original = new Event
        {
            Dashboard = "fleet", Section = "models", Action = "heartbeat", Priority = Priority.Low, Source = "llama-3",
            Id = "hb-1", Timestamp = new DateTimeOffset(2026, 11, 22, 10, 0, 0, TimeSpan.FromHours(-5)),
            Content = Event.ParseContent("""{"tokens_per_s":41.5,"text":"<img src=x onerror=alert(1)>"}"""),
        };
        var errors = new List<EventError>();
        var back = EventJson.Parse(EventJson.ToUtf8(original), errors);
        Assert.Empty(errors);
        Assert.Equal(Encoding.UTF8.GetString(EventJson.ToUtf8(original)), Encoding.UTF8.GetString(EventJson.ToUtf8(back!)));
        Assert.Equal(original.Timestamp, back!.Timestamp);
    }

    [Theory]
    [InlineData("2026-11-22T14:03:00Z", true)]
    [InlineData("2026-11-22T14:03:00.1234567+05:30", true)]
    [InlineData("2026-02-29T00:00:00Z", false)]
    [InlineData("2028-02-29T00:00:00Z", true)]
    [InlineData("2026-11-22 14:03:00Z", false)]
    [InlineData("2026-11-22T14:03Z", false)]
    public void Timestamps_follow_rfc_3339(string text, bool valid) =>
        Assert.Equal(valid, EventJson.TryParseTimestamp(text, out _));
}
