namespace Pulseboard.Tests.Support;

/// <summary>
/// How much the reliability tests do. A normal run is sized for CI (the whole suite in about a minute); a long run
/// (<c>./test.sh --long</c>, which sets <c>PULSEBOARD_LONG=1</c>) does many more rounds and inputs, so that rarer
/// failures get a chance to show.
/// </summary>
internal static class Scale
{
    /// <summary>True when the environment variable <c>PULSEBOARD_LONG</c> is <c>1</c>.</summary>
    public static bool Long { get; } = Environment.GetEnvironmentVariable("PULSEBOARD_LONG") == "1";

    /// <summary><paramref name="ci"/> in a normal run, <paramref name="longRun"/> in a long one.</summary>
    public static T Pick<T>(T ci, T longRun) => Long ? longRun : ci;
}
