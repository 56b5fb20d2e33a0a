namespace Pulseboard.Server.Hosting;

/// <summary>Where the continuous projector is: the last seq every cache has considered, and how many cycles ran.</summary>
internal sealed class ProjectorStatus(TimeProvider time)
{
    private long _position;
    private long _cycles;
    private long _lastCycleTicks = time.GetUtcNow().UtcTicks;

    public long Position => Volatile.Read(ref _position);

    public long Cycles => Volatile.Read(ref _cycles);

    /// <summary>When the last cycle ended.</summary>
    public DateTimeOffset LastCycle => new(Interlocked.Read(ref _lastCycleTicks), TimeSpan.Zero);

    private TaskCompletionSource _ran = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Ran(long position)
    {
        Interlocked.Exchange(ref _lastCycleTicks, time.GetUtcNow().UtcTicks);
        Volatile.Write(ref _position, position);
        Interlocked.Increment(ref _cycles);
        Interlocked.Exchange(ref _ran, new(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
    }

    /// <summary>
    /// Completes once a cycle has run and projected through <paramref name="seq"/>, its caches served: what a caller
    /// waits on after an append to read its effect, without polling. <c>0</c> waits for the first cycle.
    /// </summary>
    public async Task ProjectedAsync(long seq, CancellationToken cancellationToken)
    {
        while (true)
        {
            var ran = Volatile.Read(ref _ran).Task; // taken before the check: a cycle ending in between completes it
            if (Cycles > 0 && Position >= seq)
            {
                return;
            }
            await ran.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }
}
