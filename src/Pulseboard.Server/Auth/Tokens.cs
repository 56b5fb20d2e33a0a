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
            foreach (var entry in document.RootElement.EnumerateArray())
            {
                var name = entry.TryGetProperty("name", out var n) ? n.GetString() : null;
                var token = entry.TryGetProperty("token", out var t) ? t.GetString() : null;
                if (string.IsNullOrEmpty(name) || token is null || token.Length < MinimumLength)
                {
                    throw new FormatException($"{origin}[{i}]: needs a name and a token of at least {MinimumLength} characters (e.g. openssl rand -hex 24)");
                }
                var globs = entry.TryGetProperty("dashboards", out var d) && d.ValueKind == JsonValueKind.Array
                    ? d.EnumerateArray().Select(g => new Glob(g.GetString() ?? "")).ToList()
                    : [];
                var read = entry.TryGetProperty("read", out var r) && r.ValueKind == JsonValueKind.True;
                var ping = entry.TryGetProperty("ping", out var p) && p.ValueKind == JsonValueKind.True;
                tokens.Add((Hash(token), new TokenGrant(name, globs, read, ping)));
                i++;
            }
        }
        catch (JsonException ex)
        {
            throw new FormatException($"{origin}: not valid JSON ({ex.Message.Split(" Path:")[0]})", ex);
        }
        return new Tokens(tokens);
    }

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
