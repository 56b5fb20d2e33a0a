namespace Pulseboard.Log;

/// <summary>What a <see cref="LogCursor"/> reads through when the log is not segment files on this machine.</summary>
/// <remarks>One reader per cursor; not thread-safe.</remarks>
internal interface IRecordReader : IDisposable
{
    /// <summary>
    /// Adds up to <paramref name="max"/> records from <paramref name="next"/> on to <paramref name="into"/>, moves
    /// <paramref name="next"/> past the last one and returns how many; positions no longer held are skipped.
    /// </summary>
    int Read(ref long next, List<LogRecord> into, int max);
}
