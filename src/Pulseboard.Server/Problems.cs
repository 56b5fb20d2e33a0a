using System.Globalization;
using Microsoft.AspNetCore.Http;
using Pulseboard.Log;
using Pulseboard.Server.Ingest;

namespace Pulseboard.Server;

/// <summary><c>application/problem+json</c> answers whose detail says what to fix.</summary>
internal static class Problems
{
    public static IResult Of(int status, string title, string detail, List<RejectedEvent>? errors = null) =>
        TypedResults.Problem(detail, statusCode: status, title: title,
            extensions: errors is null ? null : new Dictionary<string, object?> { ["errors"] = errors });

    /// <summary>
    /// 503 with <c>Retry-After</c> for a log that is unavailable for now (<see cref="LogWriteException.RetryAfter"/>):
    /// retry with the same ids. <c>stored</c> lists the request's indexes of the events acknowledged before the log gave
    /// up (<paramref name="requestIndex"/> maps the log's batch index to the request's).
    /// </summary>
    public static IResult LogUnavailable(LogWriteException ex, TimeSpan retryAfter, Func<int, int> requestIndex)
    {
        var seconds = (int)Math.Max(1, Math.Ceiling(retryAfter.TotalSeconds));
        var stored = ex.Stored.Select(requestIndex).Order().ToList();
        var which = stored.Count == 0
            ? "None of the events was acknowledged."
            : $"The events at indexes {string.Join(", ", stored)} were stored: retried with their ids they are answered with their seqs (an event without an id would be stored again, so leave those out).";
        which += " An event not acknowledged may still be stored once the stream is back; retried with its id it is answered with its seq, so send ids.";
        var problem = TypedResults.Problem(
            $"The event log did not acknowledge in time (a NATS server down or a leader election); retry after {seconds} s with the same ids. {which}",
            statusCode: StatusCodes.Status503ServiceUnavailable, title: "The event log is unavailable for now",
            extensions: new Dictionary<string, object?> { ["stored"] = stored, ["retryAfter"] = seconds });
        return new WithRetryAfter(problem, seconds);
    }

    private sealed class WithRetryAfter(IResult problem, int seconds) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
            return problem.ExecuteAsync(httpContext);
        }
    }
}
