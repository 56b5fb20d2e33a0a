using NATS.Client.Core;
using NATS.Client.JetStream;
using Pulseboard.Log;
using Pulseboard.Log.JetStream;
using Pulseboard.Tests.Support;

namespace Pulseboard.Tests.Log;

/// <summary>The log contract suite against a real nats-server with JetStream, one server per class, a fresh stream per test.</summary>
public sealed class JetStreamEventLogTests(NatsServerProcess nats) : EventLogContractTests, IClassFixture<NatsServerProcess>, IAsyncLifetime
{
    private const string Stream = "PULSEBOARD";

    protected override bool ReceivedIsTheClock => false;

    protected override IEventLog Open(TimeSpan? retention = null, long segmentBytes = 64L * 1024 * 1024) =>
        JetStreamEventLog.OpenAsync(new JetStreamEventLogOptions
        {
            Urls = nats.Url,
            Stream = Stream,
            MaxAge = retention ?? TimeSpan.FromDays(7),
        }).GetAwaiter().GetResult();

    /// <summary>Each test starts from no stream: the previous test's is deleted (the stream denies deleting events, not itself).</summary>
    public async Task InitializeAsync()
    {
        await using var connection = new NatsConnection(NatsOpts.Default with { Url = nats.Url });
        var js = new NatsJSContext(connection);
        try
        {
            await js.DeleteStreamAsync(Stream);
        }
        catch (NatsJSApiException ex) when (ex.Error.Code == 404)
        {
        }
    }

    public Task DisposeAsync() => Task.CompletedTask;
}
