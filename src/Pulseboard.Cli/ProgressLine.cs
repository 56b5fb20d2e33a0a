using System.Diagnostics;

namespace Pulseboard.Cli;

/// <summary>A progress line on stderr for long replays, redrawn at most ten times a second; silent when stderr is not a terminal.</summary>
internal sealed class ProgressLine(string command, long start, long end) : IProgress<long>
{
    private readonly long _started = Stopwatch.GetTimestamp();
    private long _lastDraw;
    private bool _drawn;

    public void Report(long value)
    {
        if (Console.IsErrorRedirected || end - start < 100_000)
        {
            return;
        }
        var now = Stopwatch.GetTimestamp();
        if (Stopwatch.GetElapsedTime(_lastDraw, now) < TimeSpan.FromMilliseconds(100))
        {
            return;
        }
        _lastDraw = now;
        _drawn = true;
        var done = Math.Clamp((double)(value - start + 1) / (end - start + 1), 0, 1);
        var bar = new string('#', (int)(done * 30)).PadRight(30, '.');
        var rate = (value - start + 1) / Math.Max(Stopwatch.GetElapsedTime(_started, now).TotalSeconds, 0.001);
        Console.Error.Write($"\rpulseboard {command}: [{bar}] {done:P0}  seq {value:N0} of {end:N0}  {rate:N0} events/s ");
    }

    public void Done()
    {
        if (_drawn)
        {
            Console.Error.WriteLine();
        }
    }
}
