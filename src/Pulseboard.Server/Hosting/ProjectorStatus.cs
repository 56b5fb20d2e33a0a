namespace Pulseboard.Server.Hosting;

/// <summary>Where the continuous projector is: the last seq every cache has considered, and how many cycles ran.</summary>
internal sealed class ProjectorStatus
{
    private long _position;
    private long _cycles;

    public long Position => Volatile.Read(ref _position);

    public long Cycles => Volatile.Read(ref _cycles);

    public void Ran(long position)
    {
        Volatile.Write(ref _position, position);
        Interlocked.Increment(ref _cycles);
    }
}
