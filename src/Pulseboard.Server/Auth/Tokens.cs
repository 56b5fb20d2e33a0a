using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Pulseboard.Projection.Definitions;

namespace Pulseboard.Server.Auth;

/// <summary>One bearer token: who holds it, which dashboards it may write (globs), and whether it may read.</summary>
/// <param name="Name">The holder, for messages and logs (never the token).</param>
/// <param name="Dashboards">Globs of the dashboards it may write: <c>["costs", "mind*"]</c>, <c>["*"]</c> for all.</param>
/// <param name="Read">Whether it may read caches, streams and pages when reading needs a token.</param>
/// <param name="Ping">
/// A ping token: accepted as the first path segment of <c>/ping/{token}/{slug}</c> and <c>/api/push/{token}/{slug}</c>
/// (those tools put keys in URLs, and URLs end up in logs), and then allowed to write only the compatible endpoints'
/// events, never <c>/api/events</c> or <c>/mcp</c>.
/// </param>
internal sealed record TokenGrant(string Name, IReadOnlyList<Glob> Dashboards, bool Read, bool Ping = false);

/// <summary>
/// The server's bearer tokens, from a JSON file (<c>--tokens</c>) or the <c>PULSEBOARD_TOKENS</c> variable:
/// <c>[{"name": "orchestrator", "token": "…", "dashboards": ["*"]}, {"name": "wall", "token": "…", "read": true},
/// {"name": "cron", "token": "…", "ping": true}]</c>.
/// </summary>
/// <remarks>
/// Tokens are kept only as SHA-256 hashes and compared in constant time. With no tokens, writing and reading are open
/// and the server stays on loopback. With tokens, writing needs one whose globs cover every event's dashboard (401
/// without a known token, 403 outside its scope); reading needs a read token once any token has <c>read: true</c>.
/// </remarks>
internal sealed class Tokens
{
    private const int MinimumLength = 16;
    private readonly List<(byte[] Hash, TokenGrant Grant)> _tokens;

    private Tokens(List<(byte[], TokenGrant)> tokens) => _tokens = tokens;

    public static Tokens None { get; } = new([]);

    public bool Any => _tokens.Count > 0;

    public bool ReadNeedsToken => _tokens.Exists(t => t.Grant.Read);

    /// <summary>Parses the tokens' JSON.</summary>
    /// <exception cref="FormatException">The JSON is not a list of tokens as documented; the message says what to fix.</exception>
    public static Tokens Parse(string json, string origin)
    {
        var tokens = new List<(byte[], TokenGrant)>();
        try
        {
            using var document = JsonDocument.Parse(json);
            if (document.RootElement.ValueKind != JsonValueKind.Array)
            {
                throw new FormatException($"{origin}: must be a JSON array of {{\"name\", \"token\", \"dashboards\", \"read\"}}");
            }
            var i = 0;
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var entry in document.RootElement.EnumerateArray())
            {
                var (token, grant) = Entry(entry, $"{origin}[{i}]");
                if (!seen.Add(token))
                {
                    throw new FormatException($"{origin}[{i}] ({grant.Name}): has the same token as an earlier entry; give each holder its own token (e.g. openssl rand -hex 24)");
                }
                tokens.Add((Hash(token), grant));
                i++;
            }
        }
        catch (JsonException ex)
        {
            throw new FormatException($"{origin}: not valid JSON ({ex.Message.Split(" Path:")[0]})", ex);
        }
        return new Tokens(tokens);
    }

    private static readonly string[] s_fields = ["name", "token", "dashboards", "read", "ping"];

    /// <summary>One entry of the list, every field checked, with what to fix.</summary>
    private static (string Token, TokenGrant Grant) Entry(JsonElement entry, string at)
    {
        if (entry.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException($"{at}: must be an object {{\"name\", \"token\", \"dashboards\", \"read\", \"ping\"}}");
        }
        foreach (var property in entry.EnumerateObject())
        {
            if (Array.IndexOf(s_fields, property.Name) < 0)
            {
                throw new FormatException($"{at}: unknown field {EventRules.Quote(property.Name)}; a token takes {string.Join(", ", s_fields)}");
            }
        }
        var name = Text(entry, "name", at);
        var token = Text(entry, "token", at);
        if (string.IsNullOrEmpty(name) || token is null || token.Length < MinimumLength)
        {
            throw new FormatException($"{at}: needs a name and a token of at least {MinimumLength} characters (e.g. openssl rand -hex 24)");
        }
        at = $"{at} ({name})";
        List<Glob> globs = [];
        if (entry.TryGetProperty("dashboards", out var dashboards))
        {
            if (dashboards.ValueKind != JsonValueKind.Array || dashboards.EnumerateArray().Any(g => g.ValueKind != JsonValueKind.String || g.GetString()!.Length == 0))
            {
                throw new FormatException($"{at}.dashboards: must be a list of dashboard ids or globs, e.g. [\"costs\", \"team-*\"] (or [\"*\"] for every dashboard)");
            }
            globs = [.. dashboards.EnumerateArray().Select(g => new Glob(g.GetString()!))];
        }
        var read = Flag(entry, "read", at);
        var ping = Flag(entry, "ping", at);
        if (ping && read)
        {
            throw new FormatException($"{at}: a ping token cannot also read (it is sent in URLs, which end up in logs); make a separate token with \"read\": true");
        }
        if (globs.Count == 0 && !read && !ping)
        {
            throw new FormatException($"{at}: allows nothing; give it \"dashboards\" to write (e.g. [\"costs\"]), \"read\": true to read, or \"ping\": true for the ping endpoints");
        }
        return (token, new TokenGrant(name, globs, read, ping));

        static string? Text(JsonElement entry, string field, string at) =>
            !entry.TryGetProperty(field, out var value) ? null
            : value.ValueKind == JsonValueKind.String ? value.GetString()
            : throw new FormatException($"{at}.{field}: must be a string, not {value.ValueKind.ToString().ToLowerInvariant()}");
    }

    private static bool Flag(JsonElement entry, string field, string at) =>
        !entry.TryGetProperty(field, out var value) ? false
        : value.ValueKind is JsonValueKind.True or JsonValueKind.False ? value.GetBoolean()
        : throw new FormatException($"{at}.{field}: must be true or false (without quotes)");

    /// <summary>The grant of the request's bearer token; null when it has none or an unknown one.</summary>
    public TokenGrant? Find(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }
        return FindToken(header[7..].Trim());
    }

    /// <summary>The grant of a ping token given in a URL; null when <paramref name="token"/> is not a known ping token.</summary>
    public TokenGrant? FindPing(string token) => FindToken(token) is { Ping: true } grant ? grant : null;

    private TokenGrant? FindToken(string token)
    {
        var hash = Hash(token);
        TokenGrant? found = null;
        foreach (var (known, grant) in _tokens)
        {
            // Every token is compared, in constant time, whatever matched: the answer's timing says nothing.
            if (CryptographicOperations.FixedTimeEquals(known, hash))
            {
                found = grant;
            }
        }
        return found;
    }

    private static byte[] Hash(string token) => SHA256.HashData(Encoding.UTF8.GetBytes(token));
}
