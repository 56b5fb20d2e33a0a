using System.CommandLine;
using Pulseboard.Log;

namespace Pulseboard.Cli.Commands;

/// <summary><c>pulseboard tail</c>: prints the last events as stored (JSON Lines with seq and received), and follows.</summary>
internal static class TailCommand
{
    public static Command Create(Option<string> data)
    {
        var count = new Option<int>("-n", "--lines") { Description = "How many of the last events to print", DefaultValueFactory = _ => 10 };
        var follow = new Option<bool>("-f", "--follow") { Description = "Keep printing new events until Ctrl+C" };
        var command = new Command("tail", "Print the last events of the log, one JSON line each with its seq") { count, follow };
        command.Validators.Add(result =>
        {
            if (result.GetValue(count) < 0)
            {
                result.AddError("-n: must be 0 or more");
            }
        });
        command.SetAction(async (parsed, cancellationToken) =>
        {
            await using var reader = new FileEventLogReader(parsed.GetValue(data)!);
            var from = Math.Max(reader.Start, reader.End - parsed.GetValue(count) + 1);
            using var cursor = reader.OpenCursor(from);
            using var stdout = Console.OpenStandardOutput();
            var batch = new List<LogRecord>();
            try
            {
                do
                {
                    while (cursor.Read(batch, 1024) > 0)
                    {
                        foreach (var record in batch)
                        {
                            await stdout.WriteAsync(record.Line, cancellationToken).ConfigureAwait(false);
                            stdout.WriteByte((byte)'\n');
                        }
                        batch.Clear();
                        await stdout.FlushAsync(cancellationToken).ConfigureAwait(false);
                    }
                    if (parsed.GetValue(follow))
                    {
                        await reader.WaitForAsync(cursor.Next - 1, cancellationToken).ConfigureAwait(false);
                    }
                }
                while (parsed.GetValue(follow));
            }
            catch (OperationCanceledException)
            {
                // Ctrl+C ends --follow.
            }
            return ExitCodes.Ok;
        });
        return command;
    }
}
