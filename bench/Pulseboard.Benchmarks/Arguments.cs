using System.Globalization;

namespace Pulseboard.Benchmarks;

/// <summary>What the modes' option parsing shares: <c>--name value</c> pairs, <c>--help</c>, counts, a scenario list.</summary>
internal static class Arguments
{
    /// <summary>
    /// Hands each <c>--name value</c> pair to <paramref name="apply"/>, which answers an error message or null. False
    /// when help was asked for (<paramref name="error"/> null) or something is wrong (it says what).
    /// </summary>
    public static bool TryApply(string[] args, Func<string, string, string?> apply, out string? error)
    {
        error = null;
        for (var i = 0; i < args.Length; i++)
        {
            var name = args[i];
            if (name is "-h" or "--help")
            {
                return false;
            }
            if (i + 1 >= args.Length)
            {
                error = $"{name} needs a value.";
                return false;
            }
            error = apply(name, args[++i]);
            if (error is not null)
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>A whole number from 1 to <paramref name="most"/> (thousands separators and underscores allowed).</summary>
    public static long Count(string name, string value, long most, ref string? error)
    {
        if (long.TryParse(value.Replace("_", "", StringComparison.Ordinal), NumberStyles.AllowThousands, CultureInfo.InvariantCulture, out var n) && n > 0 && n <= most)
        {
            return n;
        }
        error = $"{name} must be a whole number from 1 to {most:N0}, not '{value}'.";
        return 0;
    }

    /// <summary>Makes <paramref name="selected"/> the comma-separated names in <paramref name="value"/>; an error names an unknown one.</summary>
    public static string? SelectOnly(string value, string[] known, HashSet<string> selected)
    {
        selected.Clear();
        foreach (var name in value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!known.Contains(name))
            {
                return $"--only: unknown scenario '{name}'; choose from {string.Join(", ", known)}.";
            }
            selected.Add(name);
        }
        return null;
    }
}
