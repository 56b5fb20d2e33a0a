using Pulseboard.Projection.Definitions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Pulseboard.Server.Alerts;

/// <summary>
/// The notifiers of notifiers.yaml, and every problem in the file, each with its line, field and the fix (the way
/// definitions are checked). Server configuration, not a definition: it holds secrets, so it never sits among the
/// dashboards.
/// </summary>
internal sealed class NotifierSet
{
    private static readonly string[] s_keys = ["kind", "url", "secret", "allow_private"];
    private static readonly string[] s_kinds = ["webhook", "slack", "ntfy", "alertmanager"];

    private readonly Dictionary<string, Notifier> _byName;

    private NotifierSet(IReadOnlyList<Notifier> notifiers, IReadOnlyList<DefinitionError> errors)
    {
        Notifiers = notifiers;
        Errors = errors;
        _byName = notifiers.ToDictionary(n => n.Name, StringComparer.Ordinal);
    }

    /// <summary>No notifiers: what a server without <c>--notifiers</c> has.</summary>
    public static NotifierSet Empty { get; } = new([], []);

    /// <summary>The notifiers that have no problem, in file order.</summary>
    public IReadOnlyList<Notifier> Notifiers { get; }

    /// <summary>Every problem, with the file, line, field and the fix; a notifier with a problem is left out of <see cref="Notifiers"/>.</summary>
    public IReadOnlyList<DefinitionError> Errors { get; }

    /// <summary>The names alerts may list in <c>notify:</c>.</summary>
    public IReadOnlyCollection<string> Names => _byName.Keys;

    public Notifier? Find(string name) => _byName.GetValueOrDefault(name);

    /// <summary>Reads notifiers.yaml; a missing or unreadable file is one error, never an exception.</summary>
    public static NotifierSet Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var file = Path.GetFileName(path);
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return new NotifierSet([], [new DefinitionError(file, 0, "", $"cannot be read ({ex.Message}); give the path of a notifiers.yaml")]);
        }
        return Parse(file, bytes);
    }

    /// <summary>Parses notifiers.yaml's bytes; <paramref name="file"/> names it in messages.</summary>
    public static NotifierSet Parse(string file, byte[] bytes)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        var errors = new List<DefinitionError>();
        var reader = new DefinitionLoader.Reader(file, errors);
        YamlNode? root;
        try
        {
            var stream = new YamlStream();
            using var text = new StreamReader(new MemoryStream(bytes));
            stream.Load(text);
            root = stream.Documents.Count == 0 ? null : stream.Documents[0].RootNode;
        }
        catch (YamlException ex)
        {
            reader.Error(ex.Start.Line, "", $"is not valid YAML: {ex.Message}");
            return new NotifierSet([], errors);
        }
#pragma warning disable CA1031 // The YAML parser throws other exceptions on some broken input: still a message, never a crash.
        catch (Exception ex) when (ex is not OutOfMemoryException)
#pragma warning restore CA1031
        {
            reader.Error(0, "", $"is not valid YAML ({ex.Message}); check the indentation and the quotes");
            return new NotifierSet([], errors);
        }
        if (root is not YamlMappingNode map)
        {
            reader.Error(root?.Start.Line ?? 0, "", "must be a mapping of notifier names to notifiers, e.g. team: { kind: webhook, url: https://hooks.example.com/pulseboard }");
            return new NotifierSet([], errors);
        }
        var notifiers = new List<Notifier>();
        foreach (var (key, node) in map.Children)
        {
            if (key is not YamlScalarNode { Value: { } name } || !EventRules.IsSlug(name))
            {
                reader.Error(key.Start.Line, (key as YamlScalarNode)?.Value ?? "", $"a notifier's name must be a slug ({EventRules.SlugPattern}), as alerts name it in notify:");
                continue;
            }
            if (node is not YamlMappingNode body)
            {
                reader.Error(node.Start.Line, name, "must be a mapping with kind: and url:");
                continue;
            }
            if (Read(reader, name, body) is { } notifier)
            {
                notifiers.Add(notifier);
            }
        }
        return new NotifierSet(notifiers, errors);
    }

    private static Notifier? Read(DefinitionLoader.Reader reader, string name, YamlMappingNode body)
    {
        var before = reader.Count;
        reader.CheckKeys(body, name + ".", s_keys, "a notifier");
        var kindText = reader.Text(body, "kind", name + ".kind");
        NotifierKind? kind = null;
        if (kindText is null)
        {
            reader.Error(body.Start.Line, name + ".kind", $"is required: one of {string.Join(", ", s_kinds)}");
        }
        else if (Array.IndexOf(s_kinds, kindText) is var index and >= 0)
        {
            kind = (NotifierKind)index;
        }
        else
        {
            reader.Error(DefinitionLoader.Reader.Child(body, "kind")!.Start.Line, name + ".kind", $"\"{kindText}\" is not one of {string.Join(", ", s_kinds)}");
        }
        var urlText = reader.Text(body, "url", name + ".url");
        Uri? url = null;
        if (urlText is null)
        {
            reader.Error(body.Start.Line, name + ".url", "is required: the absolute http:// or https:// address notices are sent to");
        }
        else if (Uri.TryCreate(urlText, UriKind.Absolute, out var parsed) && (parsed.Scheme == Uri.UriSchemeHttp || parsed.Scheme == Uri.UriSchemeHttps)
                 && parsed.UserInfo.Length == 0 && parsed.Host.Length > 0)
        {
            url = parsed;
        }
        else
        {
            reader.Error(DefinitionLoader.Reader.Child(body, "url")!.Start.Line, name + ".url",
                $"\"{Shown(urlText)}\" is not an absolute http:// or https:// URL without user:password@; write e.g. https://hooks.example.com/pulseboard");
        }
        var secret = reader.Text(body, "secret", name + ".secret");
        if (secret is not null && kind is not null and not NotifierKind.Webhook)
        {
            reader.Error(DefinitionLoader.Reader.Child(body, "secret")!.Start.Line, name + ".secret", $"signs webhook bodies only; remove it from this {kindText} notifier (put a token in its url if the service takes one)");
        }
        else if (secret is { Length: 0 })
        {
            reader.Error(DefinitionLoader.Reader.Child(body, "secret")!.Start.Line, name + ".secret", "is empty; give the shared secret the receiver checks signatures with, or remove the line");
        }
        var allowText = reader.Text(body, "allow_private", name + ".allow_private");
        var allowPrivate = false;
        if (allowText is not null && !bool.TryParse(allowText, out allowPrivate))
        {
            reader.Error(DefinitionLoader.Reader.Child(body, "allow_private")!.Start.Line, name + ".allow_private", $"\"{allowText}\" is not true or false");
        }
        return reader.Count == before && kind is { } k && url is not null ? new Notifier(name, k, url, secret, allowPrivate) : null;
    }

    /// <summary>
    /// A url as an error message shows it: scheme and host only, with any user:password@, path and query elided (a
    /// webhook's path or query often is its secret, and error messages end up in logs).
    /// </summary>
    internal static string Shown(string url)
    {
        var scheme = url.IndexOf("://", StringComparison.Ordinal);
        var start = scheme < 0 ? 0 : scheme + 3;
        var end = url.IndexOfAny(['/', '?', '#'], start);
        var authority = end < 0 ? url[start..] : url[start..end];
        var at = authority.LastIndexOf('@');
        if (at >= 0)
        {
            authority = "…@" + authority[(at + 1)..];
        }
        return url[..start] + authority + (end < 0 ? "" : end == url.Length - 1 ? url[end..] : url[end] + "…");
    }
}
