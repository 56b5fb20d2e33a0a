using Pulseboard.Log;
using Pulseboard.Log.JetStream;

namespace Pulseboard.Cli.Commands;

/// <summary>Opens the log named by <c>--log nats://…</c>, or says on stderr why it could not.</summary>
internal static class JetStreamLog
{
    public static async Task<JetStreamEventLog?> OpenAsync(string command, string urls, CancellationToken cancellationToken)
    {
        try
        {
            return await JetStreamEventLog.OpenAsync(new JetStreamEventLogOptions { Urls = urls }, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is ArgumentException or LogWriteException)
        {
            await Console.Error.WriteLineAsync($"pulseboard {command}: --log: {ex.Message}").ConfigureAwait(false);
            return null;
        }
    }
}
