using System.Buffers;
using System.Text.Json;
using System.Text.Json.Nodes;
using ModelContextProtocol.Protocol;
using Pulseboard.Projection;
using Pulseboard.Projection.Definitions;
using Pulseboard.Projection.Sections;

namespace Pulseboard.Server.Mcp;

/// <summary>
/// <c>append_event(dashboard, section, action, content, priority?, source?, id?)</c>: checks the event against the
/// event contract (the parser ingest uses, with its size limit) and against the schema of the section it is addressed
/// to, reports every problem at once, and appends it; the answer is its seq.
/// </summary>
internal sealed class AppendEventTool(IMcpBackend backend) : PulseboardTool(
    "append_event",
    "Appends one event to a dashboard's section and answers its seq. Give the fields describe_section's schema asks for; every problem comes back at once, naming the field and the fix. Idempotent when given an id: a retry with the same id is stored once.",
    """
    {"type":"object","properties":{
      "dashboard":{"type":"string","description":"The dashboard's id (a slug), from list_dashboards"},
      "section":{"type":"string","description":"The section the event is addressed to, as describe_section's schema says"},
      "action":{"type":"string","description":"What happened, as describe_section's schema says: ^[A-Za-z0-9_.:-]{1,64}$"},
      "content":{"type":"object","description":"The event's content: the fields describe_section's schema lists (leave it out when the schema has none)"},
      "priority":{"type":"string","enum":["low","normal","high","critical"],"description":"How urgent; default normal"},
      "source":{"type":"string","description":"Who writes it (an agent's name), optional"},
      "id":{"type":"string","description":"An idempotency key of 1 to 128 characters, optional: an event whose id is already stored is not stored twice"}},
     "required":["dashboard","section","action"],"additionalProperties":false}
    """,
    readOnly: false, idempotent: true)
{
    private static readonly string[] s_fields = ["dashboard", "section", "action", "content", "priority", "source", "id"];

    protected override IReadOnlyList<string> ArgumentNames => s_fields;

    protected override async ValueTask<CallToolResult> CallAsync(ToolArguments arguments, CancellationToken cancellationToken)
    {
        // content may be absent: a section that only counts events (a counter or daily without value:) reads none,
        // and its schema has no content. Where a section needs one, its schema's check says so.
        var problems = arguments.Errors;

        // The event contract, checked by the parser POST /api/events uses: types, slugs, names, the size limit.
        var contract = new List<EventError>();
        var e = EventJson.Parse(Serialize(arguments), contract, backend.MaxEventBytes);
        problems.AddRange(contract.Select(c => c.Message));

        // The sections it is for, and their schemas: what the dashboards need of it.
        var flagged = contract.Select(c => c.Field).Where(f => f.Length > 0).ToHashSet(StringComparer.Ordinal);
        var definitions = backend.Definitions();
        if (Slug(arguments, "dashboard") is { } dashboardId)
        {
            var addressed = new List<string>();
            var dashboard = Lookup.Dashboard(Lookup.Visible(definitions, backend.Scope), dashboardId, addressed);
            if (dashboard is not null && !backend.Scope.CanWrite(dashboardId))
            {
                addressed = [backend.Scope.WriteRefused(dashboardId)];
                dashboard = null;
            }
            problems.AddRange(addressed);
            if (dashboard is not null)
            {
                problems.AddRange(e is not null
                    ? SchemaProblems(arguments, e, dashboard, definitions)
                    : Slug(arguments, "section") is { } sectionId && dashboard.Sections.FirstOrDefault(s => s.Id == sectionId) is { } named
                        ? Check(arguments, dashboard, named).Where(p => !flagged.Any(f => p.StartsWith(f, StringComparison.Ordinal)))
                        : []);
            }
        }
        if (problems.Count > 0 || e is null)
        {
            return Refuse("append_event", problems.Count > 0 ? problems : ["event: not valid"]);
        }

        var (outcome, failure) = await backend.AppendAsync(e, cancellationToken).ConfigureAwait(false);
        if (failure is not null)
        {
            return new CallToolResult { IsError = true, Content = [new TextContentBlock { Text = $"append_event: not stored: {failure}. Try again later." }] };
        }
        if (outcome.Error is { } error)
        {
            return Refuse("append_event", [error.Message]);
        }
        var where = $"{e.Dashboard}/{e.Section}";
        return Answer(outcome.Duplicate
            ? $"already stored: an event with id {EventRules.Quote(e.Id!)} is seq {outcome.Position}; not stored twice."
            : outcome.Spooled
                ? $"accepted for {where}; the server will give it a seq."
                : $"stored as seq {outcome.Position} ({where}). read_dashboard(\"{e.Dashboard}\") shows it once the projector has applied it.");
    }

    /// <summary>
    /// Nothing when a section that takes the event (by its matchers, as the projector decides) accepts it by its
    /// schema. Else the problems of the section it is addressed to (or the first that takes it), or, when no section
    /// takes it at all, what each section of its dashboard takes.
    /// </summary>
    private List<string> SchemaProblems(ToolArguments arguments, Event e, DashboardDefinition dashboard, DefinitionSet definitions)
    {
        var projected = ProjectedEvent.Unstored(e, backend.Time.GetUtcNow());
        var takers = definitions.Dashboards
            .SelectMany(d => d.Sections.Where(s => s.Takes(projected)).Select(s => (Dashboard: d, Section: s)))
            .ToList();
        var named = dashboard.Sections.FirstOrDefault(s => s.Id == e.Section);
        if (takers.Count == 0)
        {
            var problems = named is null ? [] : Check(arguments, dashboard, named);
            if (problems.Count == 0)
            {
                problems.Add($"section: no section takes events to {e.Dashboard}/{e.Section} with action {EventRules.Quote(e.Action)} and priority {e.Priority.ToWire()}"
                    + (e.Source is null ? "" : $" from {EventRules.Quote(e.Source)}")
                    + $"; on {dashboard.Id}, " + string.Join("; ", dashboard.Sections.Select(s => $"{s.Id} takes {s.FromText}")));
            }
            return problems;
        }
        var checks = takers.Select(t => (t.Dashboard, t.Section, Problems: Check(arguments, t.Dashboard, t.Section))).ToList();
        if (checks.Exists(c => c.Problems.Count == 0))
        {
            return [];
        }
        var pick = checks.Find(c => c.Dashboard == dashboard && c.Section == named);
        if (pick.Problems is null)
        {
            // Name only a section the caller may see: a token's messages never reveal another dashboard.
            var visible = checks.Where(c => backend.Scope.CanRead(c.Dashboard.Id)).ToList();
            pick = visible.Find(c => c.Dashboard == dashboard) is { Problems: not null } same ? same : visible.FirstOrDefault();
            if (pick.Problems is null)
            {
                return [$"event: the sections that take it refuse it; address it to a section of {dashboard.Id} as describe_section shows: {string.Join("; ", dashboard.Sections.Select(s => $"{s.Id} takes {s.FromText}"))}"];
            }
            return [.. pick.Problems.Select(p => $"{p} (checked against the schema of {pick.Dashboard.Id}/{pick.Section.Id}, which takes this event)")];
        }
        return pick.Problems;
    }

    /// <summary>The section's schema's problems with the event.</summary>
    private static List<string> Check(ToolArguments arguments, DashboardDefinition dashboard, SectionPlan section) =>
        [.. SectionSchema.Check(dashboard, section, Instance(arguments, dashboard, section))];

    /// <summary>The event as ingest would receive it: the known arguments, as sent.</summary>
    private static byte[] Serialize(ToolArguments arguments)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            foreach (var field in s_fields)
            {
                if (arguments.Raw(field) is { } value)
                {
                    writer.WritePropertyName(field);
                    value.WriteTo(writer);
                }
            }
            writer.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    private static string? Slug(ToolArguments arguments, string name) =>
        arguments.Raw(name) is { ValueKind: JsonValueKind.String } value && value.GetString() is { } text && EventRules.IsSlug(text) ? text : null;

    /// <summary>
    /// The event as the section's schema sees it: the properties the schema names, each as sent or null, priority as
    /// the log will store it (normal when absent).
    /// </summary>
    private static JsonObject Instance(ToolArguments arguments, DashboardDefinition dashboard, SectionPlan section)
    {
        var instance = new JsonObject();
        var names = SectionSchema.For(dashboard, section)["properties"] is JsonObject properties ? properties.Select(p => p.Key) : s_fields;
        foreach (var name in names)
        {
            instance[name] = arguments.Raw(name) is { } value ? JsonNode.Parse(value.GetRawText())
                : name == "priority" ? "normal"
                : null;
        }
        return instance;
    }
}
