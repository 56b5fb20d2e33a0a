using System.Text.Json;
using Pulseboard.Projection.Definitions;

namespace Pulseboard.Projection.Sections;

/// <summary>
/// <c>table</c>: rows upserted by key, the most recently updated first, at most <see cref="Max"/>; an action in
/// <see cref="RemoveOn"/> removes the row. Cache: <c>{"columns": ["name"…], "rows": [{"key", "cells": [any…], "at"}]}</c>;
/// a column's name is its label, by default its path's last segment. Text, so no <c>/metrics</c> number.
/// </summary>
internal sealed class TableSection : SectionPlan, ISectionKind
{
    /// <summary>The row's key.</summary>
    public required ValuePath Key { get; init; }

    /// <summary>The columns: a path and a label each.</summary>
    public required IReadOnlyList<TableColumn> Columns { get; init; }

    /// <summary>The most rows kept; default 100.</summary>
    public int Max { get; init; } = 100;

    /// <summary>Actions that remove the row with the event's key.</summary>
    public IReadOnlyList<string> RemoveOn { get; init; } = [];

    /// <inheritdoc/>
    public static string Name => "table";

    /// <inheritdoc/>
    public static IReadOnlyList<string> Keys { get; } = ["key", "columns", "max", "remove_on"];

    /// <inheritdoc/>
    public override string Kind => Name;

    /// <summary>Reads <c>key</c> and <c>columns</c> (both required), <c>max</c> and <c>remove_on</c>.</summary>
    public static SectionPlan? Read(SectionYaml yaml)
    {
        var key = yaml.Path("key");
        if (yaml.Child("key") is null)
        {
            yaml.Error(yaml.Node.Start.Line, "key", "is required: the path that names a row, e.g. source or content.id");
        }
        var columns = yaml.Columns(out var columnProblems);
        if (!columnProblems && (yaml.Child("columns") is null || columns.Count is 0 or > 20))
        {
            yaml.Error(yaml.Node.Start.Line, "columns", "is required: 1 to 20 paths, e.g. [source, content.model], or { path: content.model, label: Model }");
        }
        // Read every field before deciding, so each problem is reported even when the section cannot compile.
        var max = yaml.Int("max", 1, 1000) ?? 100;
        var removeOn = yaml.RemoveOn();
        return key is null ? null : new TableSection
        {
            Id = yaml.Id, Title = yaml.Title, From = yaml.From, Key = key, Columns = columns, Max = max, RemoveOn = removeOn,
        };
    }

    /// <summary>None: a table is text.</summary>
    public static void Sample(JsonElement cached, ISampleSink samples)
    {
    }

    /// <inheritdoc/>
    public override SectionState NewState() => new State(this);

    /// <inheritdoc/>
    internal override IEnumerable<SectionRead> Reads() =>
        Columns.Select(c => new SectionRead(c.Path, ReadAs.Shown, false, $"the column \"{c.Label}\" of the table \"{Title}\""))
            .Prepend(new SectionRead(Key, ReadAs.Key, true, $"the row's key in the table \"{Title}\": a later event with the same key replaces the row"
                + (RemoveOn.Count > 0 ? $", and action {string.Join(" or ", RemoveOn)} removes it" : "")));

    private sealed record Row(string Key, Value[] Cells, DateTimeOffset At);

    private sealed class State(TableSection plan) : SectionState
    {
        private readonly RecentList<Row> _rows = new(plan.Max);

        protected override bool Reduce(ProjectedEvent e)
        {
            var key = plan.Key.Read(e);
            if (!key.Exists)
            {
                return false;
            }
            var text = key.ToKeyText(e.Keys);
            if (plan.RemoveOn.Contains(e.Action))
            {
                _rows.Remove(text);
                return true;
            }
            var cells = new Value[plan.Columns.Count];
            for (var i = 0; i < cells.Length; i++)
            {
                cells[i] = plan.Columns[i].Path.Read(e).Own(e);
            }
            _rows.AddNewest(text, new Row(text, cells, e.Timestamp));
            return true;
        }

        protected override void WriteData(Utf8JsonWriter writer)
        {
            writer.WriteStartArray("columns"u8);
            foreach (var column in plan.Columns)
            {
                writer.WriteStringValue(column.Label);
            }
            writer.WriteEndArray();
            writer.WriteStartArray("rows"u8);
            foreach (var row in _rows.NewestFirst)
            {
                writer.WriteStartObject();
                writer.WriteString("key"u8, row.Key);
                writer.WriteStartArray("cells"u8);
                foreach (var cell in row.Cells)
                {
                    cell.WriteTo(writer);
                }
                writer.WriteEndArray();
                WriteTime(writer, "at"u8, row.At);
                writer.WriteEndObject();
            }
            writer.WriteEndArray();
        }

        protected internal override void LoadData(JsonElement cached)
        {
            foreach (var row in cached.GetProperty("rows").EnumerateArray())
            {
                var cells = row.GetProperty("cells").EnumerateArray()
                    .Select(c => c.ValueKind == JsonValueKind.Null ? Value.Missing : Value.Of(c.Clone())).ToArray();
                var key = row.GetProperty("key").GetString()!;
                _rows.AddOldest(key, new Row(key, cells, row.GetProperty("at").GetDateTimeOffset()));
            }
        }
    }
}
