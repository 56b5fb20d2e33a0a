using Microsoft.AspNetCore.Http;
using Pulseboard.Server.Ingest;

namespace Pulseboard.Server;

/// <summary><c>application/problem+json</c> answers whose detail says what to fix.</summary>
internal static class Problems
{
    public static IResult Of(int status, string title, string detail, List<RejectedEvent>? errors = null) =>
        TypedResults.Problem(detail, statusCode: status, title: title,
            extensions: errors is null ? null : new Dictionary<string, object?> { ["errors"] = errors });
}
