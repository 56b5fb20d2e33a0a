using System.Text.Json;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;

namespace Pulseboard.Log.JetStream;

public sealed partial class JetStreamEventLog
{
    /// <summary>Headers and framing a message carries besides its payload, kept free under the server's max_payload.</summary>
    private const int HeaderAllowance = 512;

    /// <summary>Publishes in flight at once in a batch: enough to hide the round trip, few enough to bound memory.</summary>
    private const int InFlight = 256;

    /// <summary>How long one publish waits for its ack before it is sent again (with the same id).</summary>
    private static readonly TimeSpan s_attempt = TimeSpan.FromSeconds(2);

    /// <summary>The pause between attempts while the stream does not answer, so a dead server is not hammered.</summary>
    private static readonly TimeSpan s_backoff = TimeSpan.FromMilliseconds(250);

    /// <inheritdoc/>
    public ValueTask<IReadOnlyList<AppendOutcome>> AppendDurableAsync(IReadOnlyList<Event> events, CancellationToken cancellationToken = default) =>
        AppendAsync(events, cancellationToken);

    /// <inheritdoc/>
    /// <remarks>
    /// Acknowledged once a quorum of the stream's replicas stored each event. The events are published without
    /// waiting for each ack in turn (up to 256 in flight), and the acks are taken in order. While no quorum answers,
    /// each publish is sent again with the same <c>Nats-Msg-Id</c> until
    /// <see cref="JetStreamEventLogOptions.UnavailableAfter"/>; an event without an id gets a generated one for this
    /// (never written into the event), so a publish whose ack was lost is not stored twice. Past the bound this throws a
    /// <see cref="LogWriteException"/> with <see cref="LogWriteException.RetryAfter"/> set and the indexes that were
    /// stored. An event that was not acknowledged may still be stored (a publish the client buffered goes out when it
    /// reconnects): a retry with its id is then answered with its seq; a retry of an event without an id stores it again.
    /// </remarks>
    public async ValueTask<IReadOnlyList<AppendOutcome>> AppendAsync(IReadOnlyList<Event> events, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(events);
        var outcomes = new AppendOutcome[events.Count];
        var acks = new Task<PubAckResponse>?[events.Count];
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bound.CancelAfter(_options.UnavailableAfter);
        var awaited = 0;
        var stored = new List<int>();
        Exception? failure = null;
        for (var i = 0; i < events.Count; i++)
        {
            if (Prepare(events[i], out var message) is { } rejected)
            {
                outcomes[i] = rejected;
                continue;
            }
            var e = events[i];
            acks[i] = PublishAckedAsync(SubjectPrefix + e.Dashboard + "." + e.Section, message, e.Id ?? GeneratedId(), bound.Token);
            if (i - awaited >= InFlight)
            {
                var failed = await TakeAckAsync(acks, awaited, outcomes, stored).ConfigureAwait(false);
                failure ??= failed;
                awaited++;
            }
        }
        for (; awaited < events.Count; awaited++)
        {
            var failed = await TakeAckAsync(acks, awaited, outcomes, stored).ConfigureAwait(false);
            failure ??= failed; // every ack is still taken: later events may have been stored
        }
        if (failure is null)
        {
            return outcomes;
        }
        cancellationToken.ThrowIfCancellationRequested();
        var which = stored.Count == 0 ? "none was acknowledged" : $"the events at indexes {string.Join(", ", stored)} were stored";
        if (failure is NatsJSApiException refused)
        {
            // The stream answered and refused (a limit reached, the stream deleted or sealed): retrying will not help.
            throw new LogWriteException(
                $"The stream {_options.Stream} at {_options.Shown} refused the events: {_options.Scrub(refused.Error.Description ?? refused.Message)} (JetStream error {refused.Error.ErrCode}); {which}. Fix the stream (its limits, or recreate it) before retrying.",
                refused, faulted: false);
        }
        var retryAfter = TimeSpan.FromSeconds(Math.Max(1, Math.Ceiling(_options.UnavailableAfter.TotalSeconds / 2)));
        throw new LogWriteException(
            $"The stream {_options.Stream} at {_options.Shown} did not acknowledge within {_options.UnavailableAfter.TotalSeconds:0.#} s ({_options.Scrub(failure.Message)}); {which}. Retry with the same ids in {retryAfter.TotalSeconds:0} s.",
            failure, retryAfter, stored);
    }

    /// <summary>Awaits the ack of the event at <paramref name="i"/> (if it was published); its error when it failed.</summary>
    private Task<Exception?> TakeAckAsync(Task<PubAckResponse>?[] acks, int i, AppendOutcome[] outcomes, List<int> stored)
    {
        var ack = acks[i];
        if (ack is null)
        {
            return Task.FromResult<Exception?>(null);
        }
        if (ack.IsCompletedSuccessfully)
        {
            outcomes[i] = Acknowledged(ack.Result);
            stored.Add(i);
            return Task.FromResult<Exception?>(null);
        }
        return TakeSlowAsync(ack, i, outcomes, stored);
    }

    private async Task<Exception?> TakeSlowAsync(Task<PubAckResponse> ack, int i, AppendOutcome[] outcomes, List<int> stored)
    {
        try
        {
            outcomes[i] = Acknowledged(await ack.ConfigureAwait(false));
            stored.Add(i);
            return null;
        }
        catch (Exception ex) when (ex is NatsException or TimeoutException or OperationCanceledException)
        {
            return ex;
        }
    }

    private AppendOutcome Acknowledged(PubAckResponse ack)
    {
        var seq = (long)ack.Seq;
        if (ack.Duplicate)
        {
            return AppendOutcome.DuplicateOf(seq);
        }
        Raise(ref _end, seq);
        _appended.Pulse();
        return AppendOutcome.At(seq);
    }

    /// <summary>
    /// Publishes one message until the stream acknowledges it, each attempt with the same <paramref name="msgId"/>, so
    /// an attempt whose ack was lost is answered as a duplicate with its seq. Gives up when <paramref name="bound"/> is.
    /// </summary>
    private async Task<PubAckResponse> PublishAckedAsync(string subject, byte[] message, string msgId, CancellationToken bound)
    {
        var opts = new NatsJSPubOpts { MsgId = msgId };
        while (true)
        {
            using var attempt = CancellationTokenSource.CreateLinkedTokenSource(bound);
            attempt.CancelAfter(s_attempt);
            try
            {
                // New headers each attempt: the client adds Nats-Msg-Id to them and may keep them read-only once sent.
                var headers = new NatsHeaders { [FormatHeader] = FormatVersion };
                var ack = await _js.PublishAsync(subject, message, headers: headers, opts: opts, cancellationToken: attempt.Token).ConfigureAwait(false);
                if (ack.Error is null)
                {
                    return ack;
                }
                if (!Retryable(ack.Error))
                {
                    throw new NatsJSApiException(ack.Error);
                }
            }
            catch (Exception ex) when (ex is NatsException or TimeoutException or OperationCanceledException
                && !bound.IsCancellationRequested && !(ex is NatsJSApiException refused && !Retryable(refused.Error)))
            {
                // No quorum, no connection, or an ack lost on the way: the same message again, after a pause.
            }
            await Task.Delay(s_backoff, bound).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Whether the stream may take the message later: a 503 (no quorum, a leader being elected), except a store that
    /// failed on the stream's limits (max messages or bytes with the discard policy new), which a retry does not fix.
    /// </summary>
    private static bool Retryable(ApiError error) => error.Code == 503 && error.ErrCode != StoreFailed;

    /// <summary>JetStream's <c>JSStreamStoreFailedError</c>: a limit of the stream refused the message (code 503).</summary>
    private const int StoreFailed = 10077;

    /// <summary>The id that deduplicates retries of an event that has none; never written into the event.</summary>
    private static string GeneratedId() => "pulseboard-" + Guid.NewGuid().ToString("N");

    /// <summary>The message to publish for <paramref name="e"/>, or why it is rejected.</summary>
    private AppendOutcome? Prepare(Event e, out byte[] message)
    {
        message = [];
        if (e is null)
        {
            return AppendOutcome.Rejected(new EventError("", "event: is null"));
        }
        if (EventRules.Check(e) is { } error)
        {
            return AppendOutcome.Rejected(error);
        }
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
        return null;
    }
}
