using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Pulseboard.Server.Auth;
using Pulseboard.Server.Hosting;

namespace Pulseboard.Server.Serving;

/// <summary>
/// <c>GET /schema/{dashboard}/{section}.json</c>: the strict schema of the events one section takes, generated from its
/// definition: what a model's structured output is constrained to. Read like a cache (a read token when the server
/// has read tokens). The generic <c>/schema/event.json</c> (<see cref="MetaEndpoints"/>) stays the validation contract.
/// </summary>
internal static class SchemaEndpoints
{
    public static IEndpointRouteBuilder MapSchemaEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/schema/{dashboard}/{section}.json", (string dashboard, string section, HttpRequest request, Tokens tokens, ServedDefinitions definitions) =>
        {
            if (Access.Reader(request, tokens) is { } denied)
            {
                return denied;
            }
            return definitions.Schema(dashboard, section, out var problem) is { } schema
                ? TypedResults.Bytes(schema, "application/schema+json")
                : Problems.Of(StatusCodes.Status404NotFound, "No such section", problem!);
        });
        return app;
    }
}
