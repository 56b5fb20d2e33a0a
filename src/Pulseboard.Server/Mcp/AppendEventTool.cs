using System.Buffers;
using System.Text.Json;
using System.Text.Json.Nodes;
using ModelContextProtocol.Protocol;
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
      "content":{"type":"object","description":"The event's content: the fields describe_section's schema lists"},
      "priority":{"type":"string","enum":["low","normal","high","critical"],"description":"How urgent; default normal"},
      "source":{"type":"string","description":"Who writes it (an agent's name), optional"},
      "id":{"type":"string","description":"An idempotency key of 1 to 128 characters, optional: an event whose id is already stored is not stored twice"}},
     "required":["dashboard","section","action","content"],"additionalProperties":false}
    """,
    readOnly: false, idempotent: true)
{
    private static readonly string[] s_fields = ["dashboard", "section", "action", "content", "priority", "source", "id"];

    protected override IReadOnlyList<string> ArgumentNames => s_fields;

    protected override async ValueTask<CallToolResult> CallAsync(ToolArguments arguments, CancellationToken cancellationToken)
    {
        var problems = arguments.Errors;
        if (arguments.Raw("content") is null)
        {
            problems.Add("content: is required: an object with the fields describe_section's schema lists");
        }

        // The event contract, checked by the parser POST /api/events uses: types, slugs, names, the size limit.
        var contract = new List<EventError>();
        var e = EventJson.Parse(Serialize(arguments), contract, backend.MaxEventBytes);
        problems.AddRange(contract.Select(c => c.Message));

        // The section it is addressed to, and its schema: what the dashboard needs of it.
        var dashboardId = Slug(arguments, "dashboard");
        var sectionId = Slug(arguments, "section");
        var addressed = new List<string>();
        var dashboard = dashboardId is null ? null : Lookup.Dashboard(Lookup.Visible(backend), dashboardId, addressed);
        if (dashboardId is not null && !backend.Scope.CanWrite(dashboardId))
        {
            addressed.Clear();
            addressed.Add(backend.Scope.WriteRefused(dashboardId));
            dashboard = null;
        }
        var section = dashboard is null || sectionId is null ? null : Lookup.Section(dashboard, sectionId, addressed);
        problems.AddRange(addressed);
        if (dashboard is not null && section is not null)
        {
            var flagged = contract.Select(c => c.Field).Where(f => f.Length > 0).ToHashSet(StringComparer.Ordinal);
            if (arguments.Raw("content") is null)
            {
                flagged.Add("content");
            }
            problems.AddRange(SectionSchema.Check(dashboard, section, Instance(arguments, dashboard, section))
                .Where(p => !flagged.Any(f => p.StartsWith(f, StringComparison.Ordinal))));
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
