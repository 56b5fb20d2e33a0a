using System.CommandLine;
using Pulseboard.Log;
using Pulseboard.Projection;
using Pulseboard.Projection.Definitions;

namespace Pulseboard.Cli.Commands;

/// <summary>
/// <c>pulseboard tail</c>: prints the last events as stored (JSON Lines with seq and received), and follows; with
/// <c>--unmatched</c>, only the stray ones: events no section of any definition takes.
/// </summary>
internal static class TailCommand
{
    /// <summary>How long <c>--follow</c> waits before reading again when the log did not answer.</summary>
    private static readonly TimeSpan s_retry = TimeSpan.FromSeconds(1);

    public static Command Create(Option<string> data, Option<string> dashboards, JetStreamLog log)
    {
        var count = new Option<int>("-n", "--lines") { Description = "How many of the last events to print", DefaultValueFactory = _ => 10 };
        var follow = new Option<bool>("-f", "--follow") { Description = "Keep printing new events until Ctrl+C" };
        var unmatched = new Option<bool>("--unmatched")
        {
            Description = "Only events that no section of any definition (--dashboards) takes: a typo in the dashboard, section or action, or a definition not written yet",
        };
        var command = new Command("tail", "Print the last events of the log, one JSON line each with its seq") { count, follow, unmatched };
        command.Validators.Add(result =>
        {
            if (result.GetValue(count) < 0)
            {
                result.AddError("-n: must be 0 or more");
            }
        });
        command.SetAction(async (parsed, cancellationToken) =>
        {
            Stray? stray = null;
            if (parsed.GetValue(unmatched))
            {
                var directory = parsed.GetValue(dashboards)!;
                if (!Directory.Exists(directory))
                {
                    await Console.Error.WriteLineAsync($"pulseboard tail: no folder {directory}; give --dashboards DIR, the definitions an event must match").ConfigureAwait(false);
                    return ExitCodes.BadInput;
                }
                stray = new Stray(DefinitionLoader.LoadDirectory(directory));
                foreach (var error in stray.Definitions.Errors)
                {
                    await Console.Error.WriteLineAsync($"{error} (this definition matches nothing until it is fixed)").ConfigureAwait(false);
                }
            }
            IEventLogReader reader;
            if (log.Read(parsed) is { } jetStreamOptions)
            {
                if (await JetStreamLog.OpenAsync("tail", jetStreamOptions, cancellationToken).ConfigureAwait(false) is not { } jetStream)
                {
                    return ExitCodes.Failed;
                }
                reader = jetStream;
            }
            else
            {
                reader = new FileEventLogReader(parsed.GetValue(data)!);
            }
            await using var _ = reader.ConfigureAwait(false);
            using var stdout = Console.OpenStandardOutput();
            var lines = parsed.GetValue(count);
            var from = stray is null ? Math.Max(reader.Start, reader.End - lines + 1) : reader.Start;
            using var cursor = reader.OpenCursor(from);
            var batch = new List<LogRecord>();
            var following = parsed.GetValue(follow);
            try
            {
                if (stray is not null)
                {
                    await stray.PrintLastAsync(cursor, lines, reader.End, stdout, cancellationToken).ConfigureAwait(false);
                }
                var unreachable = false;
                do
                {
                    while (true)
                    {
                        int read;
                        try
                        {
                            read = cursor.Read(batch, 1024);
                        }
                        catch (IOException ex) when (following)
                        {
                            // The log did not answer (a NATS server down, an election): say so once, and read again.
                            if (!unreachable)
                            {
                                unreachable = true;
                                await Console.Error.WriteLineAsync($"pulseboard tail: {OneLine(ex.Message)} Retrying every {s_retry.TotalSeconds:0} s (Ctrl+C stops).").ConfigureAwait(false);
                            }
                            await Task.Delay(s_retry, cancellationToken).ConfigureAwait(false);
                            continue;
                        }
                        if (unreachable)
                        {
                            unreachable = false;
                            await Console.Error.WriteLineAsync("pulseboard tail: the log answers again; following.").ConfigureAwait(false);
                        }
                        if (read == 0)
                        {
                            break;
                        }
                        foreach (var record in batch)
                        {
                            if (stray is null || stray.IsStray(record))
                            {
                                await stdout.WriteAsync(record.Line, cancellationToken).ConfigureAwait(false);
                                stdout.WriteByte((byte)'\n');
                            }
                        }
                        batch.Clear();
                        await stdout.FlushAsync(cancellationToken).ConfigureAwait(false);
                    }
                    if (following)
                    {
                        await reader.WaitForAsync(cursor.Next - 1, cancellationToken).ConfigureAwait(false);
                    }
                }
                while (following);
            }
            catch (OperationCanceledException)
            {
                // Ctrl+C ends --follow.
            }
            catch (IOException ex)
            {
                await Console.Error.WriteLineAsync($"pulseboard tail: {OneLine(ex.Message)}").ConfigureAwait(false);
                return ExitCodes.Failed;
            }
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>A message on one line, whatever the server it came from put in it.</summary>
    internal static string OneLine(string message) => message.ReplaceLineEndings(" ");

    /// <summary>Finds stray events with the projector's own index: one lookup per address, not every matcher per event.</summary>
    private sealed class Stray(DefinitionSet definitions)
    {
        private readonly SectionIndex _index = new(definitions.Dashboards);
        private readonly ProjectionNames _names = new();

        public DefinitionSet Definitions => definitions;

        public bool IsStray(LogRecord record)
        {
            try
            {
                return !_index.TakesAny(ProjectedEvent.Read(record, _names));
            }
            catch (FormatException)
            {
                return false; // not an event the projector could read either: nothing a definition could take or miss
            }
        }

        /// <summary>Reads the log up to <paramref name="end"/> and prints the last <paramref name="lines"/> stray events in it, with a count on stderr.</summary>
        public async Task PrintLastAsync(LogCursor cursor, int lines, long end, Stream stdout, CancellationToken cancellationToken)
        {
            var last = new Queue<byte[]>();
            var batch = new List<LogRecord>();
            long seen = 0, stray = 0;
            var progress = new ProgressLine("tail", cursor.Next, end);
            while (cursor.Next <= end && cursor.Read(batch, (int)Math.Min(1024, end - cursor.Next + 1)) > 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
                foreach (var record in batch)
                {
                    seen++;
                    if (IsStray(record))
                    {
                        stray++;
                        last.Enqueue(record.Line.ToArray());
                        if (last.Count > lines)
                        {
                            last.Dequeue();
                        }
                    }
                }
                batch.Clear();
                progress.Report(cursor.Next - 1);
            }
            progress.Done();
            foreach (var line in last)
            {
                await stdout.WriteAsync(line, cancellationToken).ConfigureAwait(false);
                stdout.WriteByte((byte)'\n');
            }
            await stdout.FlushAsync(cancellationToken).ConfigureAwait(false);
            await Console.Error.WriteLineAsync($"pulseboard tail: {stray} of {seen} events in the log match no section of the {definitions.Dashboards.Count} definitions{(stray > last.Count ? $"; the last {last.Count} shown" : "")}").ConfigureAwait(false);
        }
    }
}
