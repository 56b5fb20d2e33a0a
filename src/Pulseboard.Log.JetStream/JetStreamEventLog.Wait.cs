using NATS.Client.Core;

namespace Pulseboard.Log.JetStream;

public sealed partial class JetStreamEventLog
{
    /// <summary>How often <see cref="WaitForAsync"/> looks at the stream when no publish woke it: a safety net.</summary>
    private static readonly TimeSpan s_poll = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How soon <see cref="WaitForAsync"/> looks again after a publish woke it but the stream did not show it yet (the
    /// subscription can see a publish before the stream has stored it).
    /// </summary>
    private static readonly TimeSpan s_recheck = TimeSpan.FromMilliseconds(50);

    /// <summary>
    /// Wakes <see cref="WaitForAsync"/> on every publish to the stream's subjects, from any node: a core NATS
    /// subscription, so a node's projector follows the others' appends at once instead of on a poll.
    /// </summary>
    private async Task ListenAsync()
    {
        try
        {
            await foreach (var _ in _connection.SubscribeAsync<byte[]>(SubjectPrefix + ">", cancellationToken: _closing.Token).ConfigureAwait(false))
            {
                _appended.Pulse();
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or NatsException or ObjectDisposedException)
        {
            // Closing, or the connection is gone: WaitForAsync still polls.
        }
    }

    /// <inheritdoc/>
    public async ValueTask WaitForAsync(long after, CancellationToken cancellationToken)
    {
        var pause = s_poll;
        while (true)
        {
            var woken = _appended.Next;
            try
            {
                await RefreshAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is NatsException or TimeoutException && !cancellationToken.IsCancellationRequested)
            {
                // The stream does not answer (a server down, an election): keep waiting; the client reconnects.
            }
            if (End > after)
            {
                return;
            }
            using var waited = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var first = await Task.WhenAny(woken, Task.Delay(pause, waited.Token)).ConfigureAwait(false);
            await waited.CancelAsync().ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
            pause = first == woken ? s_recheck : s_poll;
        }
    }
}
