using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Pulseboard.Server.Compat;

/// <summary>
/// The endpoints existing scripts already call (Healthchecks, Uptime Kuma, Pushgateway), each writing ordinary events
/// to the checks dashboard (<see cref="ServerOptions.ChecksDashboard"/>).
/// </summary>
internal static class CompatEndpoints
{
    public static IServiceCollection AddCompatEndpoints(this IServiceCollection services) =>
        services.AddSingleton(provider => new PingRuns(provider.GetRequiredService<ServerOptions>().TimeProvider));

    public static IEndpointRouteBuilder MapCompatEndpoints(this IEndpointRouteBuilder app) =>
        app.MapPingEndpoints().MapPushEndpoints().MapPushgatewayEndpoints();
}
