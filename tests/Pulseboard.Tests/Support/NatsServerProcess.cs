using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Sockets;

namespace Pulseboard.Tests.Support;

/// <summary>
/// Debian's nats-server with JetStream on a free 127.0.0.1 port, storing under a temp folder; killed by its pid on
/// disposal. One per test class (an xunit class fixture).
/// </summary>
public sealed class NatsServerProcess : IAsyncLifetime
{
    /// <summary>Where Debian's package puts the binary.</summary>
    public const string Binary = "/usr/sbin/nats-server";

    private readonly TempDirectory _folder = new();
    private readonly ConcurrentQueue<string> _log = new();
    private Process? _process;
    private int _port;
    private string? _config;

    /// <summary>
    /// One with a configuration file (<paramref name="config"/>: e.g. an <c>authorization { users = […] }</c> block),
    /// started; the caller disposes it.
    /// </summary>
    public static async Task<NatsServerProcess> StartAsync(string config)
    {
        var server = new NatsServerProcess { _config = config };
        try
        {
            await server.InitializeAsync();
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>nats://127.0.0.1:port.</summary>
    public string Url { get; private set; } = "";

    private bool _jetStream = true;

    /// <summary>What it logged, for a failure's message.</summary>
    public IEnumerable<string> Log => _log;

    /// <summary>Starts it; returns once it accepts connections and says it is ready (bounded: a minute).</summary>
    public async Task InitializeAsync()
    {
        Assert.True(File.Exists(Binary), "nats-server is missing: install Debian's nats-server package (./test.sh does).");
        _port = TestServer.FreePort();
        Url = $"nats://127.0.0.1:{_port}";
        await LaunchAsync();
    }

    /// <summary>Kills the server by its pid (SIGKILL: nothing flushed on the way out) and waits until it is gone.</summary>
    public async Task KillAsync()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill();
            await process.WaitForExitAsync();
        }
    }

    /// <summary>
    /// Starts the server again, on the same port and store, after <see cref="KillAsync"/>; with
    /// <paramref name="jetStream"/> false, without JetStream: clients connect, and every stream request gets no
    /// responder, as while no JetStream leader answers.
    /// </summary>
    public async Task RestartAsync(bool jetStream = true)
    {
        _process?.Dispose();
        _process = null;
        await LaunchAsync(jetStream);
    }

    /// <summary>
    /// Starts the server again, with JetStream, when a test killed it (or left it without JetStream) and failed before
    /// it restarted it: the class's other tests need it.
    /// </summary>
    public async Task RestartIfKilledAsync()
    {
        if (_process is null or { HasExited: true } || !_jetStream)
        {
            await KillAsync();
            await RestartAsync();
        }
    }

    private async Task LaunchAsync(bool jetStream = true)
    {
        _jetStream = jetStream;
        var port = _port;
        var start = new ProcessStartInfo(Binary) { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        string[] args = ["-a", "127.0.0.1", "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-sd", _folder.Path];
        foreach (var arg in jetStream ? ["-js", .. args] : args)
        {
            start.ArgumentList.Add(arg);
        }
        if (_config is not null)
        {
            var file = System.IO.Path.Combine(_folder.Path, "nats.conf");
            await File.WriteAllTextAsync(file, _config);
            start.ArgumentList.Add("-c");
            start.ArgumentList.Add(file);
        }
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _process = Process.Start(start)!;
        _process.ErrorDataReceived += (_, e) => Logged(e.Data, ready);
        _process.OutputDataReceived += (_, e) => Logged(e.Data, ready);
        _process.BeginErrorReadLine();
        _process.BeginOutputReadLine();
        var exited = _process.WaitForExitAsync();
        var first = await Task.WhenAny(ready.Task, exited).WaitAsync(TimeSpan.FromSeconds(60));
        if (first == exited)
        {
            throw new InvalidOperationException($"nats-server exited with {_process.ExitCode}:\n{string.Join('\n', _log)}");
        }
        using var probe = new TcpClient();
        await probe.ConnectAsync("127.0.0.1", port).WaitAsync(TimeSpan.FromSeconds(60));
    }

    /// <summary>Deletes the stream when it exists, so a test starts from none (the stream denies deleting events, not itself).</summary>
    public async Task DeleteStreamAsync(string stream = "PULSEBOARD")
    {
        // A generous connect timeout: on a loaded machine the default 2 s is not always enough for a loopback connect.
        await using var connection = new NATS.Client.Core.NatsConnection(NATS.Client.Core.NatsOpts.Default with { Url = Url, ConnectTimeout = TimeSpan.FromSeconds(30) });
        try
        {
            await new NATS.Client.JetStream.NatsJSContext(connection).DeleteStreamAsync(stream);
        }
        catch (NATS.Client.JetStream.NatsJSApiException ex) when (ex.Error.Code == 404)
        {
        }
    }

    private void Logged(string? line, TaskCompletionSource ready)
    {
        _log.Enqueue(line ?? "");
        if (line?.Contains("Server is ready", StringComparison.Ordinal) == true)
        {
            ready.TrySetResult();
        }
    }

    public async Task DisposeAsync()
    {
        if (_process is not null)
        {
            if (!_process.HasExited)
            {
                _process.Kill();
            }
            await _process.WaitForExitAsync();
            _process.Dispose();
        }
        _folder.Dispose();
    }
}
