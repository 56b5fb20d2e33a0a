using System.Buffers;
using System.CommandLine;
using System.Text.Json;
using Pulseboard.Log;

namespace Pulseboard.Cli.Commands;

/// <summary>
/// <c>pulseboard emit</c>: appends one event given by flags, or many as NDJSON on standard input. Every event is
/// checked first; one bad event means nothing is written.
/// </summary>
internal static class EmitCommand
{
    public static Command Create(Option<string> data, JetStreamLog log)
    {
        var dashboard = new Option<string?>("--dashboard") { Description = "The dashboard (a slug)" };
        var section = new Option<string?>("--section") { Description = "The section (a slug)" };
        var action = new Option<string?>("--action") { Description = "What happened, e.g. budget_warning" };
        var content = new Option<string?>("--content") { Description = "The content, as JSON (a string is '\"text\"')" };
        var priority = new Option<string?>("--priority") { Description = "low, normal (default), high or critical" };
        var source = new Option<string?>("--source") { Description = "The agent writing it" };
        var id = new Option<string?>("--id") { Description = "An idempotency key: an id already stored is not stored twice" };
        var timestamp = new Option<string?>("--timestamp") { Description = "When it happened (RFC 3339); default: now" };
        var durable = new Option<bool>("--durable") { Description = "Return only once the events are on disk (fsync)" };
        var token = new Option<string?>("--token") { Description = "Bearer token for a running server that has tokens (or set PULSEBOARD_TOKEN)" };
        var command = new Command("emit", "Append one event from flags, or NDJSON events (one per line) from standard input")
        {
            dashboard, section, action, content, priority, source, id, timestamp, durable, token,
        };
        command.SetAction(async (parsed, cancellationToken) =>
        {
            var flags = new (string Name, string? Value)[]
            {
                ("dashboard", parsed.GetValue(dashboard)), ("section", parsed.GetValue(section)), ("action", parsed.GetValue(action)),
                ("priority", parsed.GetValue(priority)), ("source", parsed.GetValue(source)), ("id", parsed.GetValue(id)),
                ("timestamp", parsed.GetValue(timestamp)),
            };
            var contentJson = parsed.GetValue(content);
            var fromFlags = contentJson is not null || flags.Any(f => f.Value is not null);
            if (!fromFlags && !Console.IsInputRedirected)
            {
                await Console.Error.WriteLineAsync("pulseboard emit: give --dashboard, --section and --action (and --content JSON), or pipe NDJSON events on standard input.").ConfigureAwait(false);
                return ExitCodes.BadInput;
            }
            var errors = new List<string>();
            var events = fromFlags
                ? FromFlags(flags, contentJson, errors)
                : await FromNdjsonAsync(Console.OpenStandardInput(), errors, cancellationToken).ConfigureAwait(false);
            if (errors.Count > 0)
            {
                foreach (var error in errors)
                {
                    await Console.Error.WriteLineAsync($"pulseboard emit: {error}").ConfigureAwait(false);
                }
                await Console.Error.WriteLineAsync("Nothing was written.").ConfigureAwait(false);
                return ExitCodes.BadInput;
            }
            if (log.Read(parsed) is { } jetStreamOptions)
            {
                var jetStream = await JetStreamLog.OpenAsync("emit", jetStreamOptions, cancellationToken).ConfigureAwait(false);
                if (jetStream is null)
                {
                    return ExitCodes.Failed;
                }
                await using (jetStream.ConfigureAwait(false))
                {
                    return await AppendToAsync(jetStream, events, parsed.GetValue(durable), cancellationToken).ConfigureAwait(false);
                }
            }
            var bearer = parsed.GetValue(token) ?? Environment.GetEnvironmentVariable("PULSEBOARD_TOKEN");
            if (Pulseboard.Client.HttpTransportOptions.FindServer(parsed.GetValue(data)!) is { } server)
            {
                return await SendAsync(server, bearer, events, parsed.GetValue(durable), cancellationToken).ConfigureAwait(false);
            }
            return await AppendAsync(parsed.GetValue(data)!, events, parsed.GetValue(durable), cancellationToken).ConfigureAwait(false);
        });
        return command;
    }

    private static List<Event> FromFlags((string Name, string? Value)[] flags, string? contentJson, List<string> errors)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            foreach (var (name, value) in flags)
            {
                if (value is not null)
                {
                    writer.WriteString(name, value);
                }
            }
            if (contentJson is not null)
            {
                try
                {
                    using var document = JsonDocument.Parse(contentJson);
                    writer.WritePropertyName("content");
                    document.RootElement.WriteTo(writer);
                }
                catch (JsonException ex)
                {
                    errors.Add($"--content: not JSON ({ex.Message.Split(" Path:")[0]}); a text is written with quotes, --content '\"text\"'");
                    return [];
                }
            }
            writer.WriteEndObject();
        }
        var problems = new List<EventError>();
        var e = EventJson.Parse(buffer.WrittenSpan, problems);
        errors.AddRange(problems.Select(p => "--" + p.Message));
        return e is null ? [] : [e];
    }

    internal static async Task<List<Event>> FromNdjsonAsync(Stream input, List<string> errors, CancellationToken cancellationToken)
    {
        using var copy = new MemoryStream();
        await input.CopyToAsync(copy, cancellationToken).ConfigureAwait(false);
        // The same reading as POST /api/events with NDJSON: one event per line, blank lines skipped, each checked alone.
        var parsed = Pulseboard.Server.Ingest.Batch.ParseNdjson(copy.GetBuffer().AsMemory(0, (int)copy.Length), int.MaxValue, EventRules.DefaultMaxEventBytes);
        if (parsed.BodyError is not null)
        {
            errors.Add("standard input held no events; send one JSON object per line");
            return [];
        }
        errors.AddRange(parsed.Rejected.Select(r => $"line {r.Index + 1}: {r.Message}"));
        return parsed.Events.ConvertAll(e => e.Event);
    }

    private static async Task<int> SendAsync(Uri server, string? token, List<Event> events, bool durable, CancellationToken cancellationToken)
    {
        await using var transport = new Pulseboard.Client.HttpTransport(new Pulseboard.Client.HttpTransportOptions { Server = server, Token = token, MaxAttempts = 2 });
        IReadOnlyList<AppendOutcome> outcomes;
        try
        {
            outcomes = await transport.SendAsync(events, durable, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is HttpRequestException or Pulseboard.Client.HttpTransportException)
        {
            await Console.Error.WriteLineAsync($"pulseboard emit: the server at {server} did not take the events: {ex.Message}").ConfigureAwait(false);
            return ExitCodes.Failed;
        }
        return await ReportAsync(outcomes).ConfigureAwait(false);
    }

    private static async Task<int> AppendAsync(string data, List<Event> events, bool durable, CancellationToken cancellationToken)
    {
        FileEventLog log;
        try
        {
            log = FileEventLog.Open(new FileEventLogOptions { DataDirectory = data, Logger = new StderrLogger("emit") });
        }
        catch (Exception ex) when (ex is LogLockedException or LogCorruptException or UnauthorizedAccessException)
        {
            await Console.Error.WriteLineAsync($"pulseboard emit: {ex.Message}").ConfigureAwait(false);
            return ExitCodes.Failed;
        }
        await using (log.ConfigureAwait(false))
        {
            return await AppendToAsync(log, events, durable, cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task<int> AppendToAsync(IEventLog log, List<Event> events, bool durable, CancellationToken cancellationToken)
    {
        IReadOnlyList<AppendOutcome> outcomes;
        try
        {
            outcomes = await log.AppendAsync(events, durable, cancellationToken).ConfigureAwait(false);
        }
        catch (LogWriteException ex)
        {
            await Console.Error.WriteLineAsync($"pulseboard emit: {ex.Message}").ConfigureAwait(false);
            return ExitCodes.Failed;
        }
        return await ReportAsync(outcomes).ConfigureAwait(false);
    }

    private static async Task<int> ReportAsync(IReadOnlyList<AppendOutcome> outcomes)
    {
        var rejected = 0;
        for (var i = 0; i < outcomes.Count; i++)
        {
            var o = outcomes[i];
            if (o.Error is { } error)
            {
                rejected++;
                await Console.Error.WriteLineAsync($"pulseboard emit: event {i + 1}: {error.Message}").ConfigureAwait(false);
            }
            else
            {
                Console.WriteLine(o.Duplicate ? $"duplicate of seq {o.Position}" : $"stored seq {o.Position}");
            }
        }
        return rejected == 0 ? ExitCodes.Ok : ExitCodes.BadInput;
    }
}
