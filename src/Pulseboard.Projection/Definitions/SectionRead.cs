namespace Pulseboard.Projection.Definitions;

/// <summary>How a section uses a value it reads from an event: what a schema of the events it takes types the value as.</summary>
internal enum ReadAs
{
    /// <summary>A number the section adds, plots or folds: a JSON number.</summary>
    Number,

    /// <summary>A key naming an item, a row or a source: text.</summary>
    Key,

    /// <summary>A value shown as it is, or inside a text template: text or a number.</summary>
    Shown,

    /// <summary>The whole content shown as readable text (a feed item without a template): text.</summary>
    Text,
}

/// <summary>One value a section reads from the events it takes, and what the dashboard shows from it.</summary>
/// <param name="Path">Where the value is: <c>content.usd</c>, <c>source</c>, or <c>content</c> itself.</param>
/// <param name="As">How the section uses it.</param>
/// <param name="Required">True when the section skips an event without it (a key, a number it sums): never null in a schema.</param>
/// <param name="Shows">What the dashboard shows from it, for a schema's description: <c>added to the running sum "Signups"</c>.</param>
internal sealed record SectionRead(ValuePath Path, ReadAs As, bool Required, string Shows)
{
    /// <summary>Each path of <paramref name="template"/> (none without one), shown as text.</summary>
    public static IEnumerable<SectionRead> In(Template? template, string shows) =>
        template is null ? [] : template.Paths.Select(path => new SectionRead(path, ReadAs.Shown, false, shows));
}
