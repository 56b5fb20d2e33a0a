using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Pulseboard.Server.Hosting;

namespace Pulseboard.Tests.Support;

/// <summary>Awaiting a server's projector instead of polling its caches over HTTP.</summary>
internal static class Projected
{
    /// <summary>
    /// Completes once the server's projector has run a cycle through <paramref name="seq"/> and its caches are served
    /// (<c>0</c>: the first cycle); fails after <paramref name="bound"/> (30 s unless given).
    /// </summary>
    public static Task ProjectedAsync(this WebApplication app, long seq, TimeSpan? bound = null) =>
        app.Services.GetRequiredService<ProjectorStatus>().ProjectedAsync(seq, CancellationToken.None).WaitAsync(bound ?? TimeSpan.FromSeconds(30));

    /// <inheritdoc cref="ProjectedAsync(WebApplication, long, TimeSpan?)"/>
    public static Task ProjectedAsync(this TestServer server, long seq, TimeSpan? bound = null) => server.App.ProjectedAsync(seq, bound);
}
