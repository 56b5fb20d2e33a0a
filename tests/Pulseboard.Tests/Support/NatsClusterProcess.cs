using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using NATS.Client.Core;
using NATS.Client.JetStream;

namespace Pulseboard.Tests.Support;

/// <summary>
/// Three Debian nats-servers with JetStream in one cluster on loopback: each its own client port, route port and store
/// folder, routed to the other two; started and stopped by pid. <see cref="Kill"/> SIGKILLs one and
/// <see cref="RestartAsync"/> starts it again on the same ports and store.
/// </summary>
/// <remarks>
/// <see cref="StartAsync"/> returns once the cluster is ready: every node answers <c>$JS.API.INFO</c> (a JetStream
/// meta leader was elected) and tells clients about all three servers (INFO's <c>connect_urls</c>), bounded by a
/// minute. Disposal kills whatever still runs and deletes the stores.
/// </remarks>
public sealed class NatsClusterProcess : IAsyncDisposable
{
    private const int Size = 3;
    private readonly TempDirectory _folder = new();
    private readonly Node[] _nodes;

    private NatsClusterProcess()
    {
        _nodes = Enumerable.Range(0, Size).Select(i => new Node($"n{i}", TestServer.FreePort(), TestServer.FreePort(), Path.Combine(_folder.Path, $"n{i}"))).ToArray();
    }

    /// <summary>Every node's nats://127.0.0.1:port, comma-separated (what <c>--log</c> takes).</summary>
    public string Urls => string.Join(',', _nodes.Select(n => n.Url));

    /// <summary>The node's server name (<c>n0</c>…<c>n2</c>), as stream info's <c>cluster.leader</c> names it.</summary>
    public string Name(int node) => _nodes[node].Name;

    /// <summary>The node's nats://127.0.0.1:port.</summary>
    public string Url(int node) => _nodes[node].Url;

    /// <summary>The node called <paramref name="name"/> (a server name), or -1.</summary>
    public int IndexOf(string? name) => Array.FindIndex(_nodes, n => n.Name == name);

    /// <summary>What every node logged, for a failure's message.</summary>
    public string Log => string.Join('\n', _nodes.SelectMany(n => n.Log.Select(line => $"[{n.Name}] {line}")));

    /// <summary>Starts the three nodes and waits (bounded) until the cluster is ready.</summary>
    public static async Task<NatsClusterProcess> StartAsync()
    {
        Assert.True(File.Exists(NatsServerProcess.Binary), "nats-server is missing: install Debian's nats-server package (./test.sh does).");
        var cluster = new NatsClusterProcess();
        try
        {
            foreach (var node in cluster._nodes)
            {
                cluster.Start(node);
            }
            await cluster.WaitReadyAsync(Enumerable.Range(0, Size));
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>SIGKILLs the node and waits (bounded) for it to be gone.</summary>
    public async Task KillAsync(int node)
    {
        var process = _nodes[node].Process!;
        process.Kill();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
    }

    /// <summary>Starts a killed node again on its ports and store, and waits (bounded) until it is back in the cluster.</summary>
    public async Task RestartAsync(int node)
    {
        _nodes[node].Process?.Dispose();
        Start(_nodes[node]);
        await WaitReadyAsync([node]);
    }

    private void Start(Node node)
    {
        Directory.CreateDirectory(node.Store);
        var routes = string.Join(',', _nodes.Where(n => n != node).Select(n => $"nats://127.0.0.1:{n.RoutePort}"));
        var start = new ProcessStartInfo(NatsServerProcess.Binary) { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var arg in new[]
                 {
                     "-js", "-n", node.Name, "-a", "127.0.0.1", "-p", node.Port.ToString(CultureInfo.InvariantCulture),
                     "--cluster_name", "pulseboard-test", "--cluster", $"nats://127.0.0.1:{node.RoutePort}", "--routes", routes, "-sd", node.Store,
                 })
        {
            start.ArgumentList.Add(arg);
        }
        var process = Process.Start(start)!;
        process.ErrorDataReceived += (_, e) => node.Keep(e.Data);
        process.OutputDataReceived += (_, e) => node.Keep(e.Data);
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        node.Process = process;
    }

    /// <summary>Until each node answers <c>$JS.API.INFO</c> and names all three servers in its INFO (a minute at most).</summary>
    private async Task WaitReadyAsync(IEnumerable<int> nodes)
    {
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        foreach (var index in nodes)
        {
            var node = _nodes[index];
            string last = "not tried";
            while (true)
            {
                if (node.Process!.HasExited)
                {
                    throw new InvalidOperationException($"nats-server {node.Name} exited with {node.Process.ExitCode}:\n{Log}");
                }
                if (bound.IsCancellationRequested)
                {
                    throw new TimeoutException($"The cluster was not ready within a minute ({node.Name}: {last}):\n{Log}");
                }
                try
                {
                    await using var connection = new NatsConnection(NatsOpts.Default with { Url = node.Url, ConnectTimeout = TimeSpan.FromSeconds(2), RequestTimeout = TimeSpan.FromSeconds(2) });
                    await connection.ConnectAsync();
                    var urls = connection.ServerInfo?.ClientConnectUrls?.Length ?? 0;
                    await new NatsJSContext(connection).GetAccountInfoAsync(bound.Token);
                    if (urls >= Size)
                    {
                        break;
                    }
                    last = $"INFO names {urls} servers";
                }
                catch (Exception ex) when (ex is NatsException or TimeoutException or OperationCanceledException)
                {
                    last = ex.Message;
                }
                await Task.Delay(TimeSpan.FromMilliseconds(100), CancellationToken.None); // a poll interval, not a wait for time to pass
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var node in _nodes)
        {
            if (node.Process is { } process)
            {
                if (!process.HasExited)
                {
                    process.Kill();
                }
                await process.WaitForExitAsync();
                process.Dispose();
            }
        }
        _folder.Dispose();
    }

    private sealed class Node(string name, int port, int routePort, string store)
    {
        private readonly ConcurrentQueue<string> _log = new();

        public string Name { get; } = name;
        public int Port { get; } = port;
        public int RoutePort { get; } = routePort;
        public string Store { get; } = store;
        public string Url => $"nats://127.0.0.1:{Port}";
        public Process? Process { get; set; }
        public IEnumerable<string> Log => _log.TakeLast(30);

        public void Keep(string? line)
        {
            _log.Enqueue(line ?? "");
        }
    }
}
