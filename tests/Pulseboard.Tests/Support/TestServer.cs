using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;
using Pulseboard.Server;

namespace Pulseboard.Tests.Support;

/// <summary>A real server on 127.0.0.1 (port 0, unless the options say otherwise) with a client for it; stopped and disposed with it.</summary>
internal sealed class TestServer : IAsyncDisposable
{
    private TestServer(WebApplication app)
    {
        App = app;
        Url = PulseboardServer.Addresses(app)[0];
        Http = new HttpClient { BaseAddress = new Uri(Url) };
    }

    public WebApplication App { get; }

    public string Url { get; }

    public HttpClient Http { get; }

    /// <summary>Options for a loopback server on <paramref name="data"/> with the sample dashboards.</summary>
    public static ServerOptions Options(string data) => new()
    {
        Urls = "http://127.0.0.1:0",
        DataDirectory = data,
        DashboardsDirectory = Path.Combine(Repo.Root, "dashboards"),
    };

    public static Task<TestServer> StartAsync(ServerOptions options) => StartAsync(options, null);

    /// <summary>Starts a server with services of the test's added (an alert outbox that records).</summary>
    public static async Task<TestServer> StartAsync(ServerOptions options, Action<Microsoft.Extensions.DependencyInjection.IServiceCollection>? services)
    {
        var app = PulseboardServer.Build(options, logging => logging.ClearProviders(), services);
        await app.StartAsync();
        return new TestServer(app);
    }

    /// <summary>A loopback port nothing listens on right now.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
    }
}
