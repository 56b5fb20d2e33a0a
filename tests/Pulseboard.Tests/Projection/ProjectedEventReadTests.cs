using System.Text;
using Pulseboard.Log;
using Pulseboard.Projection;
using Pulseboard.Projection.Definitions;

namespace Pulseboard.Tests.Projection;

/// <summary>
/// The projector reads lines in the log's own layout by matching their bytes, and any other line with a JSON reader
/// (issue 11): both must give the same event, field for field and path for path.
/// </summary>
public sealed class ProjectedEventReadTests
{
    private const string Received = "\"received\":\"2026-11-22T12:00:01.5Z\"";

    public static TheoryData<string> Lines() => new()
    {
        // The log's layout, with and without each optional field.
        "{\"seq\":7," + Received + ",\"dashboard\":\"costs\",\"section\":\"spend\",\"action\":\"spend\",\"content\":{\"usd\":2.5,\"model\":\"m1\"}}",
        "{\"seq\":7," + Received + ",\"id\":\"a-1\",\"dashboard\":\"costs\",\"section\":\"alerts\",\"action\":\"budget_warning\",\"priority\":\"high\",\"timestamp\":\"2026-11-22T11:59:00+02:00\",\"source\":\"haiku\",\"content\":{\"category\":\"c1\",\"current\":412,\"nested\":{\"a\":[1,2]}}}",
        "{\"seq\":7," + Received + ",\"dashboard\":\"fleet\",\"section\":\"models\",\"action\":\"heartbeat\",\"priority\":\"low\",\"content\":null}",
        "{\"seq\":7," + Received + ",\"dashboard\":\"fleet\",\"section\":\"models\",\"action\":\"heartbeat\",\"content\":[\"zero\",{\"x\":1}]}",
        "{\"seq\":7," + Received + ",\"dashboard\":\"fleet\",\"section\":\"models\",\"action\":\"heartbeat\",\"content\":{\"usd\":1,\"usd\":2}}",
        // Not the layout: an escaped id, escaped content names, fields in another order, whitespace, an unknown field.
        "{\"seq\":7," + Received + ",\"id\":\"a\\\"1\",\"dashboard\":\"costs\",\"section\":\"spend\",\"action\":\"spend\",\"content\":{\"usd\":3}}",
        "{\"seq\":7," + Received + ",\"dashboard\":\"costs\",\"section\":\"spend\",\"action\":\"spend\",\"content\":{\"u\\u0073d\":4,\"model\":\"m\\u00e9\"}}",
        "{\"seq\":7," + Received + ",\"section\":\"spend\",\"dashboard\":\"costs\",\"action\":\"spend\",\"content\":{\"usd\":5}}",
        "{\"seq\":7, " + Received + ", \"dashboard\": \"costs\", \"section\": \"spend\", \"action\": \"spend\", \"content\": { \"usd\" : 6 } }",
        "{\"seq\":7," + Received + ",\"dashboard\":\"costs\",\"section\":\"spend\",\"action\":\"spend\",\"content\":{\"usd\":7},\"extra\":1}",
    };

    [Theory]
    [MemberData(nameof(Lines))]
    public void The_projector_reads_a_line_as_a_reader_alone_does(string line)
    {
        var record = new LogRecord(7, Encoding.UTF8.GetBytes(line));
        var alone = ProjectedEvent.Read(record);
        var projected = ProjectedEvent.Read(record, new ProjectionNames());

        Assert.Equal(Describe(alone), Describe(projected));
        foreach (var text in new[] { "content", "content.usd", "content.model", "content.category", "content.current", "content.nested.a.1", "content.0", "content.1.x", "source", "id", "priority", "timestamp" })
        {
            var path = ValuePath.TryParse(text, out _)!;
            Assert.Equal(Show(path.Read(alone)), Show(path.Read(projected)));
        }
    }

    [Fact]
    public void Names_come_back_as_the_same_strings_with_ids()
    {
        var names = new ProjectionNames();
        var line = "{\"seq\":1," + Received + ",\"dashboard\":\"costs\",\"section\":\"spend\",\"action\":\"spend\",\"source\":\"haiku\",\"content\":{}}";
        var first = ProjectedEvent.Read(new LogRecord(1, Encoding.UTF8.GetBytes(line)), names);
        var second = ProjectedEvent.Read(new LogRecord(1, Encoding.UTF8.GetBytes(line)), names);

        Assert.Same(first.Dashboard, second.Dashboard);
        Assert.Same(first.Source, second.Source);
        Assert.Equal(first.NameIds, second.NameIds);
        Assert.Equal(first.NameIds.Section, first.NameIds.Action); // "spend" twice: one name, one id
    }

    [Fact]
    public void A_full_table_of_keys_starts_over_and_a_full_table_of_names_stops_giving_ids()
    {
        var keys = new Utf8Names(forgetWhenFull: true);
        var names = new Utf8Names();
        for (var i = 0; i <= Utf8Names.MaxNames; i++)
        {
            var bytes = Encoding.UTF8.GetBytes($"k-{i}");
            Assert.Equal($"k-{i}", keys.Get(bytes, out _));
            Assert.Equal($"k-{i}", names.Get(bytes, out var id));
            Assert.Equal(i < Utf8Names.MaxNames ? i : -1, id);
        }
        Assert.Equal(1, keys.Count);
        Assert.Equal(Utf8Names.MaxNames, names.Count);
    }

    private static string Describe(ProjectedEvent e) =>
        $"{e.Seq}|{e.Received:O}|{e.Dashboard}|{e.Section}|{e.Action}|{e.Priority}|{e.Timestamp:O}|{e.Source}|{e.Id}|{Encoding.UTF8.GetString(e.RawContent.Span)}";

    private static string Show(Value value) => value.Exists ? value.ToText() : "(missing)";
}
