namespace Pulseboard.Projection.Definitions;

/// <summary>A glob over ids and names: <c>*</c> any run of characters, <c>?</c> one; everything else literal.</summary>
internal sealed class Glob
{
    private readonly string _pattern;
    private readonly bool _any;
    private readonly bool _literal;

    /// <summary>Compiles <paramref name="pattern"/>.</summary>
    public Glob(string pattern)
    {
        _pattern = pattern ?? throw new ArgumentNullException(nameof(pattern));
        _any = pattern == "*";
        _literal = pattern.IndexOfAny(['*', '?']) < 0;
    }

    /// <summary>The pattern as written.</summary>
    public string Pattern => _pattern;

    /// <summary>True when the pattern has no wildcard: it matches exactly one value.</summary>
    public bool IsLiteral => _literal;

    /// <summary>Whether <paramref name="value"/> matches.</summary>
    public bool IsMatch(ReadOnlySpan<char> value) =>
        _any || (_literal ? value.SequenceEqual(_pattern) : Match(_pattern, value));

    private static bool Match(ReadOnlySpan<char> pattern, ReadOnlySpan<char> value)
    {
        // Iterative wildcard match with one backtrack point: linear for the patterns definitions use.
        int p = 0, v = 0, star = -1, mark = 0;
        while (v < value.Length)
        {
            if (p < pattern.Length && (pattern[p] == '?' || pattern[p] == value[v]))
            {
                p++;
                v++;
            }
            else if (p < pattern.Length && pattern[p] == '*')
            {
                star = p++;
                mark = v;
            }
            else if (star >= 0)
            {
                p = star + 1;
                v = ++mark;
            }
            else
            {
                return false;
            }
        }
        while (p < pattern.Length && pattern[p] == '*')
        {
            p++;
        }
        return p == pattern.Length;
    }

    /// <inheritdoc/>
    public override string ToString() => _pattern;
}
