using System.Diagnostics;
using System.Globalization;

namespace Pulseboard.Benchmarks.Load;

/// <summary>
/// The line on standard error that says where a scenario is while it runs: seconds, events, rate, errors. Rewritten in
/// place twice a second on a terminal; a plain line every five seconds when standard error is a file or a pipe.
/// </summary>
internal sealed class ProgressLine : IAsyncDisposable, IDisposable
{
    private readonly string _name;
    private readonly double _seconds;
    private readonly Func<(long Events, long Errors)> _read;
    private readonly long _started = Stopwatch.GetTimestamp();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private readonly bool _terminal = !Console.IsErrorRedirected;
    private readonly string _unit;

    public ProgressLine(string name, double seconds, Func<(long Events, long Errors)> read, string unit = "events")
    {
        _unit = unit;
        _name = name;
        _seconds = seconds;
        _read = read;
        _loop = LoopAsync();
    }

    private async Task LoopAsync()
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(_terminal ? 0.5 : 5));
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false))
            {
                Write(Line(), final: false);
            }
        }
        catch (OperationCanceledException)
        {
            // the scenario ended
        }
    }

    private string Line()
    {
        var elapsed = Stopwatch.GetElapsedTime(_started).TotalSeconds;
        var (events, errors) = _read();
        return string.Create(CultureInfo.InvariantCulture,
            $"  {_name}: {Math.Min(elapsed, _seconds):F0}/{_seconds:F0} s, {events:N0} {_unit}, {events / Math.Max(elapsed, 1e-3):N0}/s, {errors:N0} errors");
    }

    private void Write(string line, bool final)
    {
        if (_terminal)
        {
            Console.Error.Write($"\r{line,-90}{(final ? "\n" : "")}");
        }
        else
        {
            Console.Error.WriteLine(line);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        Write(Line(), final: true);
        _stop.Dispose();
    }

    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();
}
