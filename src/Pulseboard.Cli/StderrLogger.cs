using Microsoft.Extensions.Logging;

namespace Pulseboard.Cli;

/// <summary>Tells the person at the terminal what the log did on their behalf (a cut torn tail, a purge), on stderr.</summary>
internal sealed class StderrLogger(string command) : ILogger
{
    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (IsEnabled(logLevel))
        {
            Console.Error.WriteLine($"pulseboard {command}: {formatter(state, exception)}");
        }
    }
}
