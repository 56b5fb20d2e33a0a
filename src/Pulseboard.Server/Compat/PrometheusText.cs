using System.Globalization;
using System.Text;

namespace Pulseboard.Server.Compat;

/// <summary>One sample of the Prometheus text format: its name, labels in order, and value.</summary>
internal sealed record PushedSample(string Name, List<KeyValuePair<string, string>> Labels, double Value);

/// <summary>
/// Reads the Prometheus text exposition format (version 0.0.4), as the Pushgateway takes it: <c># HELP</c> and
/// <c># TYPE</c> lines, other comments, and samples <c>name{label="value",…} value</c>. A sample with a timestamp is
/// refused, as the Pushgateway refuses it.
/// </summary>
internal static class PrometheusText
{
    private static readonly string[] s_types = ["counter", "gauge", "histogram", "summary", "untyped"];

    /// <summary>The samples of <paramref name="text"/>, or a message naming the line and what to fix.</summary>
    public static (List<PushedSample> Samples, string? Error) Parse(string text, int maxSamples)
    {
        var samples = new List<PushedSample>();
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].TrimEnd('\r');
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }
            string? error;
            if (line.TrimStart().StartsWith('#'))
            {
                error = Comment(line.TrimStart());
            }
            else if (samples.Count == maxSamples)
            {
                return ([], $"more than {maxSamples} samples in one push; push them in several");
            }
            else
            {
                error = Sample(line, out var sample);
                if (sample is not null)
                {
                    samples.Add(sample);
                }
            }
            if (error is not null)
            {
                return ([], $"line {i + 1}: {error}");
            }
        }
        return (samples, null);
    }

    private static string? Comment(string line)
    {
        var parts = line[1..].Split((char[]?)null, 4, StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 0 || parts[0] is not ("TYPE" or "HELP"))
        {
            return null; // any other comment is a comment
        }
        if (parts.Length < 2 || !IsMetricName(parts[1]))
        {
            return $"# {parts[0]} needs a metric name ([a-zA-Z_:][a-zA-Z0-9_:]*) after it";
        }
        if (parts[0] == "TYPE" && (parts.Length != 3 || !s_types.Contains(parts[2])))
        {
            return $"# TYPE {parts[1]} needs one of {string.Join(", ", s_types)}";
        }
        return null;
    }

    private static string? Sample(string line, out PushedSample? sample)
    {
        sample = null;
        var at = 0;
        while (at < line.Length && line[at] is ' ' or '\t')
        {
            at++;
        }
        var start = at;
        while (at < line.Length && (char.IsAsciiLetterOrDigit(line[at]) || line[at] is '_' or ':'))
        {
            at++;
        }
        var name = line[start..at];
        if (!IsMetricName(name))
        {
            return $"expected a metric name ([a-zA-Z_:][a-zA-Z0-9_:]*) at column {start + 1}, found {EventRules.Quote(line[start..])}";
        }
        var labels = new List<KeyValuePair<string, string>>();
        if (at < line.Length && line[at] == '{')
        {
            if (Labels(line, ref at, labels) is { } error)
            {
                return error;
            }
        }
        var rest = line[at..].Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (rest.Length == 0)
        {
            return $"{name} has no value; write it after the name and labels, e.g. {name} 42";
        }
        // The value first: "a b c" is a name with a word for a value, not a value with a timestamp.
        if (Number(rest[0]) is not { } value)
        {
            return $"{name}: {EventRules.Quote(rest[0])} is not a number (e.g. 42, 3.14, 1e3, NaN, +Inf)";
        }
        if (rest.Length > 1)
        {
            return $"{name} has a timestamp ({EventRules.Quote(rest[1])}); pushed metrics must not have one: drop it";
        }
        sample = new PushedSample(name, labels, value);
        return null;
    }

    /// <summary>Reads <c>{a="x",b="y"}</c> from <paramref name="at"/> (the brace), unescaping values.</summary>
    private static string? Labels(string line, ref int at, List<KeyValuePair<string, string>> labels)
    {
        at++; // {
        while (true)
        {
            while (at < line.Length && line[at] is ' ' or '\t')
            {
                at++;
            }
            if (at < line.Length && line[at] == '}')
            {
                at++;
                return null;
            }
            var start = at;
            while (at < line.Length && (char.IsAsciiLetterOrDigit(line[at]) || line[at] == '_'))
            {
                at++;
            }
            var label = line[start..at];
            if (label.Length == 0 || char.IsAsciiDigit(label[0]))
            {
                return $"expected a label name ([a-zA-Z_][a-zA-Z0-9_]*) at column {start + 1}";
            }
            if (at + 1 >= line.Length || line[at] != '=' || line[at + 1] != '"')
            {
                return $"label {label} needs =\"value\" after it, at column {at + 1}";
            }
            at += 2;
            var value = new StringBuilder();
            while (true)
            {
                if (at >= line.Length)
                {
                    return $"the value of label {label} has no closing quote";
                }
                var c = line[at++];
                if (c == '"')
                {
                    break;
                }
                if (c == '\\' && at < line.Length)
                {
                    var escaped = line[at++];
                    value.Append(escaped switch { 'n' => '\n', '\\' => '\\', '"' => '"', _ => escaped });
                    continue;
                }
                value.Append(c);
            }
            if (labels.Exists(l => l.Key == label))
            {
                return $"label {label} is given twice";
            }
            labels.Add(new(label, value.ToString()));
            while (at < line.Length && line[at] is ' ' or '\t')
            {
                at++;
            }
            if (at < line.Length && line[at] == ',')
            {
                at++;
            }
            else if (at >= line.Length || line[at] != '}')
            {
                return $"expected , or }} after the value of label {label}, at column {at + 1}";
            }
        }
    }

    private static double? Number(string text) => text switch
    {
        "NaN" => double.NaN,
        "+Inf" or "Inf" => double.PositiveInfinity,
        "-Inf" => double.NegativeInfinity,
        _ => double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value) ? value : null,
    };

    /// <summary>Whether <paramref name="name"/> is a metric name: <c>[a-zA-Z_:][a-zA-Z0-9_:]*</c>.</summary>
    public static bool IsMetricName(string name) =>
        name.Length > 0 && !char.IsAsciiDigit(name[0]) && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or ':');

    /// <summary>Whether <paramref name="name"/> is a label name: <c>[a-zA-Z_][a-zA-Z0-9_]*</c>.</summary>
    public static bool IsLabelName(string name) =>
        name.Length > 0 && !char.IsAsciiDigit(name[0]) && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');
}
