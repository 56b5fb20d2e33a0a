namespace Pulseboard.Tests.Support;

/// <summary>A clock the test moves by hand (the mirror lacks Microsoft.Extensions.TimeProvider.Testing).</summary>
public sealed class ManualTimeProvider(DateTimeOffset start) : TimeProvider
{
    private DateTimeOffset _now = start;

    public override DateTimeOffset GetUtcNow() => _now;

    public void Advance(TimeSpan by) => _now += by;
}
