using System.Text.Json;

namespace Pulseboard;

/// <summary>
/// One event, as an agent writes it: addressed to a dashboard and a section, with an action and any JSON content.
/// </summary>
/// <remarks>
/// The wire format and its rules are DESIGN.md's event contract; <see cref="EventRules"/> checks them and
/// <see cref="EventSchema"/> publishes them as a JSON Schema. Instances are immutable once built and safe to
/// share between threads.
/// </remarks>
public sealed class Event
{
    /// <summary>The dashboard the event is addressed to: a slug, <c>^[a-z0-9][a-z0-9-]{0,62}$</c>.</summary>
    public required string Dashboard { get; init; }

    /// <summary>The section of that dashboard: a slug, same rule as <see cref="Dashboard"/>.</summary>
    public required string Section { get; init; }

    /// <summary>What happened: <c>^[A-Za-z0-9_.:-]{1,64}$</c>, for example <c>budget_warning</c>.</summary>
    public required string Action { get; init; }

    /// <summary>Any JSON value; an undefined element (the default) is stored as <c>null</c>.</summary>
    public JsonElement Content { get; init; }

    /// <summary>How urgent the event is. Default <see cref="Priority.Normal"/>.</summary>
    public Priority Priority { get; init; } = Priority.Normal;

    /// <summary>When it happened. Optional: the log stamps the time of receipt when absent.</summary>
    public DateTimeOffset? Timestamp { get; init; }

    /// <summary>The agent that wrote it, optional; same rule as <see cref="Action"/>.</summary>
    public string? Source { get; init; }

    /// <summary>
    /// An optional client id of 1–128 characters: an idempotency key. An event whose id the log already holds
    /// (within retention) is acknowledged with its original position and not stored twice.
    /// </summary>
    public string? Id { get; init; }

    /// <summary>A copy of this event with <see cref="Timestamp"/> set.</summary>
    public Event WithTimestamp(DateTimeOffset timestamp) => Copy(timestamp, Id);

    /// <summary>A copy of this event with <see cref="Id"/> set.</summary>
    public Event WithId(string id) => Copy(Timestamp, id);

    private Event Copy(DateTimeOffset? timestamp, string? id) => new()
    {
        Dashboard = Dashboard,
        Section = Section,
        Action = Action,
        Content = Content,
        Priority = Priority,
        Timestamp = timestamp,
        Source = Source,
        Id = id,
    };

    /// <summary>Builds an event whose content is the given JSON text.</summary>
    /// <exception cref="JsonException">The text is not one JSON value.</exception>
    public static Event Create(string dashboard, string section, string action, string contentJson) => new()
    {
        Dashboard = dashboard,
        Section = section,
        Action = action,
        Content = ParseContent(contentJson),
    };

    /// <summary>Parses JSON text into a standalone <see cref="JsonElement"/> for <see cref="Content"/>.</summary>
    /// <exception cref="JsonException">The text is not one JSON value.</exception>
    public static JsonElement ParseContent(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }
}
