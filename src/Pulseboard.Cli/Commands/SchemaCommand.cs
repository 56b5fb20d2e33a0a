using System.CommandLine;

namespace Pulseboard.Cli.Commands;

/// <summary><c>pulseboard schema</c>: prints the event's JSON Schema.</summary>
internal static class SchemaCommand
{
    public static Command Create()
    {
        var command = new Command("schema", "Print the event's JSON Schema (draft 2020-12), usable as a model's structured-output format");
        command.SetAction(async (_, cancellationToken) =>
        {
            using var stdout = Console.OpenStandardOutput();
            await stdout.WriteAsync(EventSchema.Utf8, cancellationToken).ConfigureAwait(false);
            return ExitCodes.Ok;
        });
        return command;
    }
}
