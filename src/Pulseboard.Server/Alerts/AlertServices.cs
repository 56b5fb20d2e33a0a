using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Pulseboard.Server.Alerts;

/// <summary>Registers the delivery half of alerts: the notifiers, the durable outbox, and the service that sends from it.</summary>
internal static class AlertServices
{
    public static IServiceCollection AddAlertDelivery(this IServiceCollection services, ServerOptions options, NotifierSet notifiers)
    {
        services.AddSingleton(notifiers);
        services.AddSingleton(DeliveryPolicy.Default);
        services.AddSingleton<DeliveryCounters>();
        services.AddSingleton<NoticeSender>();
        // Opened when first resolved (by the delivery service as the host starts): after the log took the data folder's lock.
        services.AddSingleton(provider => new AlertOutbox(
            options.DataDirectory, options.TimeProvider, provider.GetRequiredService<ILoggerFactory>().CreateLogger("Pulseboard.Alerts")));
        services.AddSingleton<IAlertOutbox>(provider => provider.GetRequiredService<AlertOutbox>());
        services.AddHostedService<AlertDelivery>();
        return services;
    }
}
