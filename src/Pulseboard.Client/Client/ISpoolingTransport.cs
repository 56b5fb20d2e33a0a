namespace Pulseboard.Client;

/// <summary>
/// A transport that keeps batches it cannot deliver now in a spool, which the client's writer drains when it is due
/// (the HTTP transport).
/// </summary>
/// <remarks>
/// Called from the client's one writer, never concurrently with <see cref="IEventTransport.SendAsync"/>: the writer
/// drains before it hands the transport a new batch, so spooled events keep their place ahead of newer ones.
/// </remarks>
internal interface ISpoolingTransport
{
    /// <summary>The clock the spool's backoff runs on.</summary>
    TimeProvider TimeProvider { get; }

    /// <summary>How long until the spool wants a delivery attempt: null when it is empty, zero when now.</summary>
    TimeSpan? SpoolDueIn { get; }

    /// <summary>
    /// Sends the spool, oldest first, until it is empty or the server cannot be reached (then it backs off, and the
    /// rest waits).
    /// </summary>
    /// <param name="listener">Told of each spooled event, or spooled batch, the server refuses for good.</param>
    /// <param name="cancellationToken">Stops the drain; what was not sent stays.</param>
    /// <returns>True when the spool is empty.</returns>
    Task<bool> DrainSpoolAsync(ISpoolListener listener, CancellationToken cancellationToken);
}

/// <summary>What a drain of the spool tells the client: spooled events the server will never take.</summary>
internal interface ISpoolListener
{
    /// <summary>The server refused one spooled event (an entry of its <c>rejected</c> list).</summary>
    void Rejected(EventError error);

    /// <summary>The server refused a whole spooled batch of <paramref name="count"/> events (a 4xx): retrying cannot help.</summary>
    void Refused(Exception error, int count);
}
