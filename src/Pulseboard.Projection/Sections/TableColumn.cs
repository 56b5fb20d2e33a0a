using Pulseboard.Projection.Definitions;

namespace Pulseboard.Projection.Sections;

/// <summary>One column of a <see cref="TableSection"/>: where its cells come from, and its heading.</summary>
/// <param name="Path">The path each row's cell is read from.</param>
/// <param name="Label">The heading written in the cache's <c>columns</c>; by default the path's last segment.</param>
internal sealed record TableColumn(ValuePath Path, string Label)
{
    /// <summary>A column headed by its path's last segment (<c>content.tokens_per_s</c> → <c>tokens_per_s</c>).</summary>
    public static TableColumn Of(ValuePath path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return new TableColumn(path, path.Text[(path.Text.LastIndexOf('.') + 1)..]);
    }
}
