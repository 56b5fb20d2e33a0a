using Microsoft.Extensions.Logging;
using Pulseboard.Server;
using Pulseboard.Tests.Support;

namespace Pulseboard.Tests.Server;

/// <summary>Options are checked once, when the server is built, and a wrong one is named with its fix.</summary>
public sealed class ServerOptionsTests
{
    public static TheoryData<string, string> Wrong => new()
    {
        { "MaxEventBytes", "MaxEventBytes must be at least 256" },
        { "MaxBodyBytes", "MaxBodyBytes must hold at least one event" },
        { "MaxEventsPerRequest", "MaxEventsPerRequest must be at least 1" },
        { "SseKeepAlive", "SseKeepAlive must be positive" },
        { "DataDirectory", "DataDirectory is required" },
    };

    [Theory]
    [MemberData(nameof(Wrong))]
    public void A_wrong_option_is_refused_with_its_name_and_fix_before_anything_opens(string option, string message)
    {
        using var data = new TempDirectory();
        var options = option switch
        {
            "MaxEventBytes" => TestServer.Options(data.Path).With(maxEventBytes: 10),
            "MaxBodyBytes" => TestServer.Options(data.Path).With(maxBodyBytes: 100),
            "MaxEventsPerRequest" => TestServer.Options(data.Path).With(maxEventsPerRequest: 0),
            "SseKeepAlive" => TestServer.Options(data.Path).With(sseKeepAlive: TimeSpan.Zero),
            _ => TestServer.Options(" "),
        };
        var error = Assert.ThrowsAny<ArgumentException>(() => PulseboardServer.Build(options, logging => logging.ClearProviders()));
        Assert.Equal(option, error.ParamName);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(data.Path)); // refused before the log opened
    }
}

internal static class ServerOptionsCopy
{
    public static ServerOptions With(this ServerOptions o, int? maxEventBytes = null, long? maxBodyBytes = null, int? maxEventsPerRequest = null, TimeSpan? sseKeepAlive = null) => new()
    {
        Urls = o.Urls,
        DataDirectory = o.DataDirectory,
        DashboardsDirectory = o.DashboardsDirectory,
        MaxEventBytes = maxEventBytes ?? o.MaxEventBytes,
        MaxBodyBytes = maxBodyBytes ?? o.MaxBodyBytes,
        MaxEventsPerRequest = maxEventsPerRequest ?? o.MaxEventsPerRequest,
        SseKeepAlive = sseKeepAlive ?? o.SseKeepAlive,
    };
}
