using NATS.Client.Core;

namespace Pulseboard.Log.JetStream;

public sealed partial class JetStreamEventLog
{
    /// <summary>
    /// How soon <see cref="WaitForAsync"/> looks again after a publish woke it but the stream did not show it yet (the
    /// subscription can see a publish before the stream has stored it).
    /// </summary>
    private static readonly TimeSpan s_recheck = TimeSpan.FromMilliseconds(50);

    /// <summary>The first pause after the stream did not answer; each further one doubles, up to <see cref="Poll"/>.</summary>
    private static readonly TimeSpan s_firstRetry = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// How often <see cref="WaitForAsync"/> looks at the stream when no publish woke it: a safety net. Default 5 seconds;
    /// a test sets it to hours to show that the wake subscription alone wakes a reader.
    /// </summary>
    internal TimeSpan Poll { get; set; } = TimeSpan.FromSeconds(5);

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
    /// <remarks>
    /// Keeps waiting while the stream does not answer (a server down, an election), looking again after 250 ms, then
    /// twice as long each time up to <see cref="Poll"/>: the client reconnects on its own, and a reader such as
    /// <c>tail --follow</c> goes on once it has.
    /// </remarks>
    public async ValueTask WaitForAsync(long after, CancellationToken cancellationToken)
    {
        var poll = Poll;
        var pause = poll;
        var retry = s_firstRetry;
        while (true)
        {
            var woken = _appended.Next;
            try
            {
                await RefreshAsync(cancellationToken).ConfigureAwait(false);
                retry = s_firstRetry;
            }
            catch (LogUnreachableException) when (!cancellationToken.IsCancellationRequested)
            {
                // RefreshAsync turned the client's NatsException or TimeoutException into this: keep waiting.
                pause = retry < poll ? retry : poll;
                retry = pause * 2;
            }
            if (End > after)
            {
                return;
            }
            using var waited = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var first = await Task.WhenAny(woken, Task.Delay(pause, waited.Token)).ConfigureAwait(false);
            await waited.CancelAsync().ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
            pause = first == woken ? s_recheck : poll;
        }
    }
}
