using System.Buffers;
using System.Text;
using System.Text.Json;
using Pulseboard.Projection;
using Pulseboard.Projection.Definitions;

namespace Pulseboard.Tests.Projection;

public sealed class TemplateAndPathTests
{
    private const string Content = """{"name":"haiku","n":412,"ratio":1.50,"big":1e3,"s":"412","word":"abc","flag":true,"nothing":null,"obj":{"a":{"b":"deep"},"k":[1,2]},"items":["zero","one",{"x":2}]}""";

    private static ProjectedEvent E(string? source = "haiku", string? priority = "high") =>
        Stored.Event(7, dashboard: "costs", section: "alerts", action: "budget_warning", content: Content, priority: priority,
            at: Stored.At(12, 30, 5), source: source, id: "a-1");

    private static string Render(string template, ProjectedEvent? e = null)
    {
        var parsed = Template.TryParse(template, out var error);
        Assert.True(parsed is not null, error);
        Assert.Equal(template, parsed.Text);
        return parsed.Render(e ?? E());
    }

    private static Value Read(string path, ProjectedEvent? e = null)
    {
        var parsed = ValuePath.TryParse(path, out var error);
        Assert.True(parsed is not null, error);
        return parsed.Read(e ?? E());
    }

    [Theory]
    [InlineData("{content.name}", "haiku")]
    [InlineData("{content.n}", "412")]
    [InlineData("{content.ratio}", "1.50")]
    [InlineData("{content.big}", "1e3")]
    [InlineData("{content.s}", "412")]
    [InlineData("{content.flag}", "true")]
    [InlineData("{content.nothing}", "")]
    [InlineData("{content.obj}", """{"a":{"b":"deep"},"k":[1,2]}""")]
    [InlineData("{content.obj.k}", "[1,2]")]
    [InlineData("{content.missing}", "")]
    [InlineData("{content.name.deeper}", "")]
    [InlineData("{ content.name }", "haiku")]
    [InlineData("{content.n} of {content.missing}!", "412 of !")]
    [InlineData("plain text", "plain text")]
    [InlineData("", "")]
    [InlineData("{{literal}} {content.n}", "{literal} 412")]
    [InlineData("{{{content.n}}}", "{412}")]
    [InlineData("}}", "}")]
    [InlineData("{action} by {source} ({priority}) on {dashboard}/{section} #{seq} {id} at {timestamp}", "budget_warning by haiku (high) on costs/alerts #7 a-1 at 2026-11-22T12:30:05Z")]
    public void Templates_render_values_as_text(string template, string expected)
    {
        Assert.Equal(expected, Render(template));
    }

    [Fact]
    public void Compact_json_is_rendered_from_pretty_content()
    {
        var e = Stored.Event(1, content: "{ \"obj\" : { \"a\" : [ 1 , 2 ] } }");
        Assert.Equal("""{"a":[1,2]}""", Render("{content.obj}", e));
        Assert.Equal("""{"obj":{"a":[1,2]}}""", Render("{content}", e));
        var spaced = Stored.Event(2, content: """{ "obj" : { "a b" : "x \" y" , "n" : [ 1 , 2 ] } }""");
        Assert.Equal("""{"a b":"x \" y","n":[1,2]}""", Render("{content.obj}", spaced));
    }

    [Fact]
    public void A_missing_source_and_missing_content_render_empty()
    {
        var e = Stored.Event(1, content: null);
        Assert.Equal("by  with ", Render("by {source} with {content}", e));
        Assert.Equal("", Render("{content.x}", e));
    }

    [Theory]
    [InlineData("{content.x", """'{' at character 1 is not closed; write {content.x}, or '{{' for a brace""")]
    [InlineData("ab {content.x} {", """'{' at character 16 is not closed; write {content.x}, or '{{' for a brace""")]
    [InlineData("a } b", """a lone '}' at character 3; write '}}' for a brace""")]
    [InlineData("{contents.x}", "\"contents.x\" is not a path; a path starts with one of content, dashboard, section, action, source, priority, timestamp, id, seq (content.x.y reads into the content)")]
    [InlineData("{}", "\"\" is not a path; a path starts with one of content, dashboard, section, action, source, priority, timestamp, id, seq (content.x.y reads into the content)")]
    public void Bad_templates_say_what_is_wrong(string template, string error)
    {
        Assert.Null(Template.TryParse(template, out var message));
        Assert.Equal(error, message);
    }

    [Theory]
    [InlineData("content.obj.a.b", "deep")]
    [InlineData("content.items.0", "zero")]
    [InlineData("content.items.1", "one")]
    [InlineData("content.items.2.x", "2")]
    [InlineData("dashboard", "costs")]
    [InlineData("section", "alerts")]
    [InlineData("action", "budget_warning")]
    [InlineData("source", "haiku")]
    [InlineData("priority", "high")]
    [InlineData("id", "a-1")]
    [InlineData("seq", "7")]
    [InlineData("timestamp", "2026-11-22T12:30:05Z")]
    public void Paths_read_event_fields_and_into_the_content(string path, string expected)
    {
        var value = Read(path);
        Assert.True(value.Exists);
        Assert.Equal(expected, value.ToText());
    }

    [Theory]
    [InlineData("content.items.3")]
    [InlineData("content.items.x")]
    [InlineData("content.items.-1")]
    [InlineData("content.obj.a.c")]
    [InlineData("content.name.x")]
    [InlineData("content.missing")]
    public void Paths_that_lead_nowhere_are_missing(string path)
    {
        var value = Read(path);
        Assert.False(value.Exists);
        Assert.Equal("", value.ToText());
        Assert.False(value.TryGetNumber(out _));
    }

    [Fact]
    public void Optional_fields_default_or_go_missing()
    {
        var e = Stored.Event(3, source: null, priority: null, at: Stored.At(9), withTimestamp: false);
        Assert.False(Read("source", e).Exists);
        Assert.False(Read("id", e).Exists);
        Assert.Equal("normal", Read("priority", e).ToText());
        Assert.Equal("2026-11-22T09:00:00Z", Read("timestamp", e).ToText());
        Assert.False(Read("content", e).Exists);
    }

    [Fact]
    public void A_timestamp_keeps_its_fraction_and_is_written_in_utc()
    {
        var e = Stored.Event(3, at: new DateTimeOffset(2026, 11, 22, 15, 3, 0, 250, TimeSpan.FromHours(1)));
        Assert.Equal("2026-11-22T14:03:00.25Z", Read("timestamp", e).ToText());
    }

    [Theory]
    [InlineData("source.name", "\"source.name\" is not a path: only content has fields below it")]
    [InlineData("content..x", "\"content..x\" has an empty segment; write content.a.b")]
    [InlineData("content.", "\"content.\" has an empty segment; write content.a.b")]
    [InlineData("Content.x", "\"Content.x\" is not a path; a path starts with one of content, dashboard, section, action, source, priority, timestamp, id, seq (content.x.y reads into the content)")]
    public void Bad_paths_say_what_is_wrong(string path, string error)
    {
        Assert.Null(ValuePath.TryParse(path, out var message));
        Assert.Equal(error, message);
    }

    [Theory]
    [InlineData("content.n", 412)]
    [InlineData("content.ratio", 1.5)]
    [InlineData("content.big", 1000)]
    [InlineData("content.s", 412)]
    [InlineData("content.items.2.x", 2)]
    [InlineData("seq", 7)]
    public void Numbers_and_numeric_strings_are_numbers(string path, double expected)
    {
        Assert.True(Read(path).TryGetNumber(out var number));
        Assert.Equal(expected, number);
    }

    [Theory]
    [InlineData("content.word")]
    [InlineData("content.obj")]
    [InlineData("content.items")]
    [InlineData("content.flag")]
    [InlineData("content.nothing")]
    [InlineData("content.name")]
    [InlineData("source")]
    [InlineData("content.missing")]
    public void Other_values_are_not_numbers(string path)
    {
        Assert.False(Read(path).TryGetNumber(out _));
    }

    [Theory]
    [InlineData("412", true, 412)]
    [InlineData("-1.25", true, -1.25)]
    [InlineData("1e3", true, 1000)]
    [InlineData("abc", false, 0)]
    [InlineData("", false, 0)]
    [InlineData("NaN", false, 0)]
    [InlineData("Infinity", false, 0)]
    [InlineData("1,5", false, 0)]
    public void Text_values_are_numbers_only_when_they_spell_a_finite_one(string text, bool isNumber, double expected)
    {
        Assert.Equal(isNumber, Value.Of(text).TryGetNumber(out var number));
        if (isNumber)
        {
            Assert.Equal(expected, number);
        }
        var json = JsonElement.Parse(JsonSerializer.Serialize(text, Pulseboard.EventJsonContext.Default.String));
        Assert.Equal(isNumber, Value.Of(json).TryGetNumber(out _));
    }

    [Fact]
    public void Values_write_themselves_as_json()
    {
        static string Write(Value value)
        {
            var buffer = new ArrayBufferWriter<byte>();
            using (var writer = new Utf8JsonWriter(buffer))
            {
                value.WriteTo(writer);
            }
            return Encoding.UTF8.GetString(buffer.WrittenSpan);
        }
        Assert.Equal("\"haiku\"", Write(Read("source")));
        Assert.Equal("7", Write(Read("seq")));
        Assert.Equal("""{"b":"deep"}""", Write(Read("content.obj.a")));
        Assert.Equal("null", Write(Read("content.missing")));
    }

    [Theory]
    [InlineData("""{"run":"r7","status":"done"}""", "run: r7 · status: done")]
    [InlineData("""{ "n" : 1.50, "ok" : false, "none" : null, "o" : { "a" : [ 1, 2 ] }, "list" : [ ] }""", """n: 1.50 · ok: false · none: null · o: {"a":[1,2]} · list: []""")]
    [InlineData("""{"quote":"say \"hi\"\n","é":"ü"}""", "quote: say \"hi\"\n · é: ü")]
    [InlineData("{}", "")]
    [InlineData("\"just text\"", "just text")]
    [InlineData("412", "412")]
    [InlineData("[1, {\"a\" : 2}]", """[1,{"a":2}]""")]
    [InlineData("null", "")]
    public void Readable_text_lists_an_objects_entries_and_leaves_other_values_as_text(string content, string expected)
    {
        Assert.Equal(expected, Read("content", Stored.Event(1, content: content)).ToReadableText());
        Assert.Equal(expected, Template.ReadableContent(Stored.Event(1, content: content)));
    }

    [Fact]
    public void Readable_text_cuts_each_value_to_80_characters_and_the_whole_to_300()
    {
        var longValue = new string('v', 100);
        var one = Read("content", Stored.Event(1, content: $$"""{"k":"{{longValue}}","n":1}""")).ToReadableText();
        Assert.Equal("k: " + new string('v', 79) + "… · n: 1", one);

        var many = string.Join(",", Enumerable.Range(0, 20).Select(i => $"\"key{i}\":\"{longValue}\""));
        var all = Read("content", Stored.Event(1, content: "{" + many + "}")).ToReadableText();
        Assert.Equal(300, all.Length);
        Assert.EndsWith("v…", all, StringComparison.Ordinal);
        Assert.StartsWith("key0: " + new string('v', 79) + "… · key1: ", all, StringComparison.Ordinal);

        // A cut never splits a surrogate pair: 78 letters and an emoji (2 chars) are 80; one more letter is 81.
        var emoji = Read("content", Stored.Event(1, content: $$"""{"k":"{{new string('a', 78)}}😀b"}""")).ToReadableText();
        Assert.Equal("k: " + new string('a', 78) + "…", emoji);
    }

    [Theory]
    [InlineData("{content.missing}", null)]
    [InlineData("{content.missing} of {content.other}!", null)]
    [InlineData("{content.n} of {content.missing}", "412 of ")]
    [InlineData("{content.nothing}", "")]
    [InlineData("no paths at all", "no paths at all")]
    [InlineData("", "")]
    public void A_template_renders_null_only_when_every_field_it_reads_is_missing(string template, string? expected)
    {
        Assert.Equal(expected, Template.TryParse(template, out _)!.RenderOrNull(E()));
    }
}
