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

    public void Ran(long position)
    {
        Interlocked.Exchange(ref _lastCycleTicks, time.GetUtcNow().UtcTicks);
        Volatile.Write(ref _position, position);
        Interlocked.Increment(ref _cycles);
    }
}
