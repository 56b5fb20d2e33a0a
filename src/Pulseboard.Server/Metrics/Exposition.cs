using System.Buffers;
using System.Globalization;
using System.Text;

namespace Pulseboard.Server.Metrics;

/// <summary>
/// Writes the Prometheus text exposition format 0.0.4, UTF-8: <c># HELP</c>, <c># TYPE</c>, then one sample a line.
/// Names are sanitized to <c>[a-zA-Z_:][a-zA-Z0-9_:]*</c>; label values escape backslash, quote and newline.
/// </summary>
/// <remarks>Ours because the package mirror has neither prometheus-net nor OpenTelemetry's Prometheus exporter.</remarks>
internal sealed class Exposition(IBufferWriter<byte> output)
{
    /// <summary>The content type a scraper expects.</summary>
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    private readonly StringBuilder _line = new(256);

    /// <summary>Starts a metric family: its help and type lines.</summary>
    public void Family(string name, string type, string help)
    {
        _line.Clear().Append("# HELP ").Append(Name(name)).Append(' ');
        foreach (var c in help)
        {
            _line.Append(c switch { '\\' => "\\\\", '\n' => "\\n", _ => c.ToString() });
        }
        _line.Append('\n').Append("# TYPE ").Append(Name(name)).Append(' ').Append(type).Append('\n');
        Flush();
    }

    /// <summary>One sample: the name (with a suffix like <c>_bucket</c>), labels as name/value pairs, the value.</summary>
    public void Sample(string name, double value, params ReadOnlySpan<(string Name, string Value)> labels)
    {
        _line.Clear().Append(Name(name));
        if (labels.Length > 0)
        {
            _line.Append('{');
            for (var i = 0; i < labels.Length; i++)
            {
                if (i > 0)
                {
                    _line.Append(',');
                }
                _line.Append(Name(labels[i].Name)).Append("=\"");
                foreach (var c in labels[i].Value)
                {
                    _line.Append(c switch { '\\' => "\\\\", '"' => "\\\"", '\n' => "\\n", _ => c.ToString() });
                }
                _line.Append('"');
            }
            _line.Append('}');
        }
        _line.Append(' ').Append(Number(value)).Append('\n');
        Flush();
    }

    private void Flush()
    {
        var text = _line.ToString();
        var span = output.GetSpan(Encoding.UTF8.GetMaxByteCount(text.Length));
        output.Advance(Encoding.UTF8.GetBytes(text, span));
    }

    private static string Number(double value) => value switch
    {
        double.PositiveInfinity => "+Inf",
        double.NegativeInfinity => "-Inf",
        _ when double.IsNaN(value) => "NaN",
        _ => value.ToString("R", CultureInfo.InvariantCulture),
    };

    /// <summary>A valid metric or label name: anything else becomes an underscore.</summary>
    public static string Name(string name)
    {
        var text = new StringBuilder(name.Length);
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            var ok = char.IsAsciiLetter(c) || c is '_' or ':' || (i > 0 && char.IsAsciiDigit(c));
            text.Append(ok ? c : '_');
        }
        return text.Length == 0 ? "_" : text.ToString();
    }
}
