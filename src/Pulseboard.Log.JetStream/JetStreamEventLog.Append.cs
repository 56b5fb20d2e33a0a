using System.Text.Json;
using NATS.Client.Core;
using NATS.Client.JetStream;

namespace Pulseboard.Log.JetStream;

public sealed partial class JetStreamEventLog
{
    /// <summary>Headers and framing a message carries besides its payload, kept free under the server's max_payload.</summary>
    private const int HeaderAllowance = 512;

    /// <inheritdoc/>
    public ValueTask<IReadOnlyList<AppendOutcome>> AppendDurableAsync(IReadOnlyList<Event> events, CancellationToken cancellationToken = default) =>
        AppendAsync(events, cancellationToken);

    /// <inheritdoc/>
    /// <remarks>Acknowledged once a quorum of the stream's replicas stored each event.</remarks>
    public async ValueTask<IReadOnlyList<AppendOutcome>> AppendAsync(IReadOnlyList<Event> events, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(events);
        var outcomes = new AppendOutcome[events.Count];
        for (var i = 0; i < events.Count; i++)
        {
            outcomes[i] = await AppendOneAsync(events[i], cancellationToken).ConfigureAwait(false);
        }
        return outcomes;
    }

    private async ValueTask<AppendOutcome> AppendOneAsync(Event e, CancellationToken cancellationToken)
    {
        if (e is null)
        {
            return AppendOutcome.Rejected(new EventError("", "event: is null"));
        }
        if (EventRules.Check(e) is { } error)
        {
            return AppendOutcome.Rejected(error);
        }
        byte[] message;
        try
        {
            message = StoredLine.ToMessage(e);
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or JsonException)
        {
            return AppendOutcome.Rejected(new EventError("content", $"content: cannot be stored as JSON ({ex.Message})"));
        }
        if (message.Length > _options.MaxEventBytes)
        {
            return AppendOutcome.Rejected(EventRules.TooLarge(message.Length, _options.MaxEventBytes));
        }
        var maxPayload = (_connection.ServerInfo?.MaxPayload ?? 1024 * 1024) - HeaderAllowance;
        if (message.Length > maxPayload)
        {
            return AppendOutcome.Rejected(new EventError("",
                $"event: {message.Length} bytes serialized, over what the NATS server takes ({maxPayload} bytes under its max_payload); send less content or raise max_payload in the server's configuration"));
        }
        try
        {
            var ack = await _js.PublishAsync(SubjectPrefix + e.Dashboard + "." + e.Section, message,
                opts: e.Id is null ? null : new NatsJSPubOpts { MsgId = e.Id }, cancellationToken: cancellationToken).ConfigureAwait(false);
            var seq = (long)ack.Seq;
            if (ack.Duplicate)
            {
                return AppendOutcome.DuplicateOf(seq);
            }
            Raise(ref _end, seq);
            _appended.Pulse();
            return AppendOutcome.At(seq);
        }
        catch (Exception ex) when (ex is NatsException or TimeoutException)
        {
            throw new LogWriteException($"The stream {_options.Stream} at {_options.Shown} did not acknowledge an event: {ex.Message}. Events before it in the batch were stored; retry with the same ids.", ex, faulted: false);
        }
    }
}
