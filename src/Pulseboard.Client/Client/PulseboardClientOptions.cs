namespace Pulseboard.Client;

/// <summary>How a <see cref="PulseboardClient"/> queues and batches.</summary>
public sealed class PulseboardClientOptions
{
    /// <summary>Events the queue holds before <see cref="PulseboardClient.Append"/> drops and counts. Default 10,000.</summary>
    public int QueueCapacity { get; init; } = 10_000;

    /// <summary>The most events handed to the transport in one batch. Default 512.</summary>
    public int MaxBatch { get; init; } = 512;

    /// <summary>
    /// Told of every failure the client cannot throw at a caller: invalid events given to <see cref="PulseboardClient.Append"/>,
    /// rejections and transport failures. Called on the caller's thread or the background writer; keep it quick. Default none.
    /// </summary>
    /// <remarks>
    /// Called from several threads at once. An exception it throws is caught, written to
    /// <see cref="System.Diagnostics.Trace"/> and otherwise ignored: it never reaches the caller of
    /// <see cref="PulseboardClient.Append"/> and never stops the writer.
    /// </remarks>
    public Action<Exception>? OnError { get; init; }

    internal void Validate()
    {
        if (QueueCapacity < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(QueueCapacity), QueueCapacity, "QueueCapacity must be at least 1; 10,000 suits most agents.");
        }
        if (MaxBatch < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxBatch), MaxBatch, "MaxBatch must be at least 1; 512 suits most agents.");
        }
    }
}
