using System.Text;

namespace Pulseboard.Projection.Definitions;

/// <summary>A text template: literal text with paths in braces, <c>"{content.count} total, {content.new} new"</c>; <c>{{</c> and <c>}}</c> are literal braces.</summary>
internal sealed class Template
{
    private readonly (string? Literal, ValuePath? Path)[] _parts;

    private Template(string text, (string?, ValuePath?)[] parts)
    {
        Text = text;
        _parts = parts;
    }

    /// <summary>The template as written.</summary>
    public string Text { get; }

    /// <summary>The paths it reads, in order.</summary>
    internal IEnumerable<ValuePath> Paths => _parts.Where(p => p.Path is not null).Select(p => p.Path!);

    /// <summary>Parses a template, or says what is wrong with it.</summary>
    public static Template? TryParse(string text, out string? error)
    {
        error = null;
        var parts = new List<(string?, ValuePath?)>();
        var literal = new StringBuilder();
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if ((c == '{' || c == '}') && i + 1 < text.Length && text[i + 1] == c)
            {
                literal.Append(c);
                i++;
                continue;
            }
            if (c == '}')
            {
                error = $"a lone '}}' at character {i + 1}; write '}}}}' for a brace";
                return null;
            }
            if (c != '{')
            {
                literal.Append(c);
                continue;
            }
            var end = text.IndexOf('}', i + 1);
            if (end < 0)
            {
                error = $"'{{' at character {i + 1} is not closed; write {{content.x}}, or '{{{{' for a brace";
                return null;
            }
            var path = ValuePath.TryParse(text[(i + 1)..end].Trim(), out var pathError);
            if (path is null)
            {
                error = pathError;
                return null;
            }
            if (literal.Length > 0)
            {
                parts.Add((literal.ToString(), null));
                literal.Clear();
            }
            parts.Add((null, path));
            i = end;
        }
        if (literal.Length > 0)
        {
            parts.Add((literal.ToString(), null));
        }
        return new Template(text, [.. parts]);
    }

    /// <summary>
    /// Renders the template, or null when it reads paths and every one of them is missing from the event: the caller
    /// then shows <see cref="ReadableContent"/> instead of the template's bare punctuation (<c>": "</c>). A template
    /// with some of its paths present renders as <see cref="Render"/> does.
    /// </summary>
    public string? RenderOrNull(ProjectedEvent e)
    {
        var text = Builder();
        var paths = 0;
        var found = 0;
        foreach (var (literal, path) in _parts)
        {
            if (literal is not null)
            {
                text.Append(literal);
                continue;
            }
            var value = path!.Read(e);
            paths++;
            found += value.Exists ? 1 : 0;
            value.AppendText(text);
        }
        return paths > 0 && found == 0 ? null : text.ToString();
    }

    // Rendered once per event a section takes: one builder per thread, cleared, instead of a new one each time.
    [ThreadStatic]
    private static StringBuilder? s_builder;

    private static StringBuilder Builder() => (s_builder ??= new StringBuilder(256)).Clear();

    /// <summary>The event's content as short readable text (<see cref="Value.ToReadableText"/>): what a feed item or stat without a template shows.</summary>
    public static string ReadableContent(ProjectedEvent e) => ValuePath.Content.Read(e).ToReadableText();

    /// <summary>Renders the template for an event; a missing path renders empty.</summary>
    public string Render(ProjectedEvent e)
    {
        if (_parts.Length == 1)
        {
            return _parts[0].Literal ?? _parts[0].Path!.Read(e).ToText();
        }
        var text = Builder();
        foreach (var (literal, path) in _parts)
        {
            if (literal is not null)
            {
                text.Append(literal);
            }
            else
            {
                path!.Read(e).AppendText(text);
            }
        }
        return text.ToString();
    }
}
