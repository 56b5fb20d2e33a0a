using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;

namespace Pulseboard.Log.JetStream;

public sealed partial class JetStreamEventLog
{
    /// <summary>
    /// Connects (to the first of <see cref="JetStreamEventLogOptions.Urls"/> that answers), creates the stream when it
    /// is missing, and opens the log. An existing stream keeps its settings (replicas, max age, duplicate window): the
    /// options only shape a stream this creates.
    /// </summary>
    /// <exception cref="ArgumentException">An option is invalid; the message says how to fix it.</exception>
    /// <exception cref="LogWriteException">
    /// No server answered, the login was refused, the stream could not be created (more replicas than the cluster
    /// has servers), or <see cref="JetStreamEventLogOptions.Replicas"/> differs from an existing stream's; the message
    /// names the URLs tried, never a password.
    /// </exception>
    public static async Task<JetStreamEventLog> OpenAsync(JetStreamEventLogOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var auth = options.CredsFile is { } creds ? NatsAuthOpts.Default with { CredsFile = creds } : NatsAuthOpts.Default;
        var connection = new NatsConnection(NatsOpts.Default with { Url = options.Urls, Name = "pulseboard", AuthOpts = auth });
        var replicas = 0;
        try
        {
            await connection.ConnectAsync().ConfigureAwait(false);
            var servers = ClusterSize(connection.ServerInfo);
            var js = new NatsJSContext(connection);
            var stream = await WhileElectingAsync(async () =>
            {
                if (await ExistingAsync(js, options.Stream, cancellationToken).ConfigureAwait(false) is { } existing)
                {
                    return Kept(existing, options);
                }
                replicas = options.Replicas ?? (servers >= 3 ? 3 : 1);
                if (replicas > 1 && connection.ServerInfo?.Cluster is null)
                {
                    throw new LogWriteException($"The stream {options.Stream} needs {replicas} replicas, but the server at {options.Shown} is not in a cluster: give --replicas 1, or start a cluster of at least {replicas} servers (docs/SCALING.md).", null, faulted: false);
                }
                try
                {
                    return await js.CreateStreamAsync(new StreamConfig(options.Stream, [SubjectPrefix + ">"])
                    {
                        Storage = StreamConfigStorage.File,
                        NumReplicas = replicas,
                        MaxAge = options.MaxAge,
                        DuplicateWindow = options.DuplicateWindow,
                        DenyDelete = true,
                        DenyPurge = true,
                        AllowDirect = true,
                    }, cancellationToken).ConfigureAwait(false);
                }
                catch (NatsJSApiException ex) when (ex.Error.ErrCode == NameInUse)
                {
                    // Another node created it, with other settings, a moment ago.
                    var created = await ExistingAsync(js, options.Stream, cancellationToken).ConfigureAwait(false);
                    if (created is null)
                    {
                        throw;
                    }
                    return Kept(created, options);
                }
            }, cancellationToken).ConfigureAwait(false);
            return new JetStreamEventLog(connection, js, stream, options);
        }
        catch (NatsJSApiException ex) when (replicas > 1 && ex.Error.Code == 500 && ex.Error.ErrCode == 10023)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw new LogWriteException($"The stream {options.Stream} needs {replicas} replicas, but the cluster at {options.Shown} has fewer JetStream servers up ({options.Scrub(ex.Message)}): give --replicas 1, or start more servers.", ex, faulted: false);
        }
        catch (NatsJSApiException ex) when (ex.Error.ErrCode == 10065)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw new LogWriteException($"The stream {options.Stream} cannot be created at {options.Shown}: another stream of this NATS account already takes the subjects {SubjectPrefix}>. Give that stream's name (--stream), or log in as a user of another NATS account for a second Pulseboard.", ex, faulted: false);
        }
        catch (Exception ex) when (ex is NatsException or TimeoutException)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw new LogWriteException($"Could not open the JetStream log at {options.Shown}: {options.Scrub(ex.Message)}. Check that nats-server runs there with JetStream enabled (-js), and the login (user:password in the URL, or --nats-creds).", ex, faulted: false);
        }
        catch (LogWriteException)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Runs <paramref name="step"/> again while the cluster has no leader to answer (a new cluster electing one, an R3
    /// stream being placed: no API response, or 503), for up to <see cref="ElectionBound"/>.
    /// </summary>
    private static async Task<T> WhileElectingAsync<T>(Func<Task<T>> step, CancellationToken cancellationToken)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        while (true)
        {
            try
            {
                return await step().ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is NatsJSApiNoResponseException || ex is NatsJSApiException { Error.Code: 503 })
            {
                if (System.Diagnostics.Stopwatch.GetElapsedTime(started) > ElectionBound)
                {
                    throw;
                }
            }
            await Task.Delay(TimeSpan.FromMilliseconds(250), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>How long opening waits for a cluster that is electing a leader: 30 seconds.</summary>
    private static readonly TimeSpan ElectionBound = TimeSpan.FromSeconds(30);

    /// <summary>How many servers the cluster has, as the server we reached tells clients (INFO's <c>connect_urls</c>).</summary>
    private static int ClusterSize(INatsServerInfo? info) =>
        info?.Cluster is null ? 1 : Math.Max(1, (info.ClientConnectUrls ?? []).Distinct(StringComparer.Ordinal).Count());

    /// <summary>JetStream's <c>JSStreamNameExistErr</c>: a stream of that name exists with another configuration.</summary>
    private const int NameInUse = 10058;

    /// <summary>The stream, when it exists.</summary>
    private static async Task<INatsJSStream?> ExistingAsync(NatsJSContext js, string name, CancellationToken cancellationToken)
    {
        try
        {
            return await js.GetStreamAsync(name, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (NatsJSApiException ex) when (ex.Error.Code == 404)
        {
            return null;
        }
    }

    /// <summary>
    /// An existing stream as it is: other nodes share it, so opening never changes its replicas, max age or duplicate
    /// window. Replicas asked for explicitly that differ from the stream's fail, saying how to change them on purpose.
    /// </summary>
    private static INatsJSStream Kept(INatsJSStream stream, JetStreamEventLogOptions options)
    {
        var has = Math.Max(1, stream.Info.Config.NumReplicas);
        if (options.Replicas is { } asked && asked != has)
        {
            throw new LogWriteException(
                $"The stream {options.Stream} at {options.Shown} has {has} replica{(has == 1 ? "" : "s")}, not the {asked} asked for (--replicas), and opening the log does not change a stream other nodes share. Leave out --replicas to use it as it is, or change it on purpose: nats stream edit {options.Stream} --replicas {asked}.",
                null, faulted: false);
        }
        return stream;
    }
}
