namespace Pulseboard.Log.JetStream;

/// <summary>A task that completes at the next append, local or seen on the stream's subjects, for <see cref="JetStreamEventLog.WaitForAsync"/>.</summary>
/// <remarks>Thread-safe.</remarks>
internal sealed class AppendSignal
{
    private TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task Next => Volatile.Read(ref _next).Task;

    public void Pulse() => Interlocked.Exchange(ref _next, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
}
