using Pulseboard.Log;
using Pulseboard.Projection;
using Pulseboard.Server;

namespace Pulseboard.Tests.Architecture;

/// <summary>
/// Internal by default: the libraries publish what a user embeds (the event, the client and its transports, the log,
/// the projector's and the server's entry points) and nothing else. PublicAPI.Shipped.txt lists each member; this
/// holds the whole at 35 types, so that growth is a decision rather than a default.
/// </summary>
public sealed class PublicSurfaceTests
{
    [Fact]
    public void The_libraries_publish_at_most_35_types()
    {
        var exported = new[] { typeof(Event), typeof(FileEventLog), typeof(Projector), typeof(PulseboardServer) }
            .SelectMany(t => t.Assembly.GetExportedTypes())
            .Select(t => t.FullName!)
            .Order(StringComparer.Ordinal)
            .ToList();

        Assert.True(exported.Count <= 35, $"{exported.Count} public types: {string.Join(", ", exported)}");
        Assert.Contains("Pulseboard.Client.PulseboardClient", exported);
        Assert.Contains("Pulseboard.Server.PulseboardServer", exported);
    }
}
