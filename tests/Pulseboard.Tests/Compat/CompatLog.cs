using Microsoft.Extensions.DependencyInjection;
using Pulseboard.Log;
using Pulseboard.Tests.Support;

namespace Pulseboard.Tests.Compat;

/// <summary>Reads what a test server's log holds, to see the events the compatible endpoints wrote.</summary>
internal static class CompatLog
{
    public static IEventLog Log(this TestServer server) => server.App.Services.GetRequiredService<IEventLog>();

    /// <summary>Every event in the server's log, oldest first.</summary>
    public static List<Event> Events(this TestServer server)
    {
        var log = server.Log();
        using var cursor = log.OpenCursor(log.Start);
        var records = new List<LogRecord>();
        while (cursor.Read(records, 10_000) > 0)
        {
        }
        return records.ConvertAll(r => r.ToEvent());
    }

    public static string Text(this Event e, string property) =>
        e.Content.TryGetProperty(property, out var value) ? value.ToString() : "(none)";
}
