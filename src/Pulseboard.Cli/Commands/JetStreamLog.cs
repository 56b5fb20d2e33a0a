using System.CommandLine;
using System.Globalization;
using Pulseboard.Log;
using Pulseboard.Log.JetStream;

namespace Pulseboard.Cli.Commands;

/// <summary>
/// <c>--log nats://…</c>, <c>--stream</c>, <c>--replicas</c> and <c>--nats-creds</c> (or <c>PULSEBOARD_LOG</c>,
/// <c>PULSEBOARD_STREAM</c>, <c>PULSEBOARD_REPLICAS</c>, <c>PULSEBOARD_NATS_CREDS</c>): the event log on NATS
/// JetStream, for every command that reads or writes the log; without them, the file log under <c>--data</c>.
/// </summary>
internal sealed class JetStreamLog
{
    public const string LogVariable = "PULSEBOARD_LOG";
    public const string StreamVariable = "PULSEBOARD_STREAM";
    public const string ReplicasVariable = "PULSEBOARD_REPLICAS";
    public const string CredsVariable = "PULSEBOARD_NATS_CREDS";

    public Option<string?> Log { get; } = new("--log")
    {
        Description = $"The event log on NATS JetStream: nats://host:port[,nats://…] (nats://user:password@host:port to log in); or set {LogVariable}. Default: the file log under --data",
        Recursive = true,
    };

    public Option<string?> Stream { get; } = new("--stream")
    {
        Description = $"With --log: the JetStream stream's name; or set {StreamVariable}. Default PULSEBOARD",
        Recursive = true,
    };

    public Option<int?> Replicas { get; } = new("--replicas")
    {
        Description = $"With --log: copies of each event (1 to 5) when the stream is created; or set {ReplicasVariable}. Default: an existing stream's count, else 3 on a cluster of three or more servers, else 1",
        Recursive = true,
    };

    public Option<string?> Creds { get; } = new("--nats-creds")
    {
        Description = $"With --log: a NATS .creds file to log in with; or set {CredsVariable}",
        Recursive = true,
    };

    public IEnumerable<Option> All => [Log, Stream, Replicas, Creds];

    /// <summary>What is wrong with the environment's values (a flag's value is checked by its parser).</summary>
    public static IEnumerable<string> Problems()
    {
        if (Environment.GetEnvironmentVariable(ReplicasVariable) is { Length: > 0 } replicas && !int.TryParse(replicas, NumberStyles.None, CultureInfo.InvariantCulture, out _))
        {
            yield return $"{ReplicasVariable}={EventRules.Quote(replicas)}: give a number of replicas, 1 to 5";
        }
    }

    /// <summary>The JetStream log's options from the flags, else the environment; null for the file log.</summary>
    public JetStreamEventLogOptions? Read(ParseResult parsed)
    {
        if ((parsed.GetValue(Log) ?? Env(LogVariable)) is not { } urls)
        {
            return null;
        }
        return new JetStreamEventLogOptions
        {
            Urls = urls,
            Stream = parsed.GetValue(Stream) ?? Env(StreamVariable) ?? "PULSEBOARD",
            // A variable that is not a number is 0 here, which the log refuses with "Replicas must be 1 to 5".
            Replicas = parsed.GetValue(Replicas) ?? (Env(ReplicasVariable) is { } r ? (int.TryParse(r, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 0) : null),
            CredsFile = parsed.GetValue(Creds) ?? Env(CredsVariable),
        };
    }

    /// <summary>Opens the log, or says on stderr why it could not (naming the URLs tried, never a password) and returns null.</summary>
    public static async Task<JetStreamEventLog?> OpenAsync(string command, JetStreamEventLogOptions options, CancellationToken cancellationToken)
    {
        try
        {
            return await JetStreamEventLog.OpenAsync(options, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is ArgumentException or LogWriteException)
        {
            await Console.Error.WriteLineAsync($"pulseboard {command}: --log: {Said(ex)}").ConfigureAwait(false);
            return null;
        }
    }

    /// <summary>An exception's message for a person: an argument's message without .NET's "(Parameter 'X')" and "Actual value was" tail.</summary>
    public static string Said(Exception ex)
    {
        ArgumentNullException.ThrowIfNull(ex);
        var message = ex.Message;
        var tail = ex is ArgumentException ? message.IndexOf(" (Parameter '", StringComparison.Ordinal) : -1;
        return tail < 0 ? message : message[..tail];
    }

    private static string? Env(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? value : null;
}
