using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;
using Pulseboard.Benchmarks.Load;
using Pulseboard.Benchmarks.Throughput;

namespace Pulseboard.Benchmarks.Cluster;

/// <summary>
/// Debian's <c>nats-server</c> with JetStream on loopback: one server, or three in a cluster (routes between them),
/// each with its own store under a temp folder; any one can be killed with SIGKILL and started again on the same
/// ports and store. Every process is stopped by pid on dispose.
/// </summary>
internal sealed class NatsNodes : IAsyncDisposable
{
    private const string Binary = "/usr/sbin/nats-server";

    private readonly TempDataFolder _folder;
    private readonly Node[] _nodes;

    private NatsNodes(TempDataFolder folder, Node[] nodes)
    {
        _folder = folder;
        _nodes = nodes;
    }

    /// <summary>The client URLs, comma-separated, as <c>--log</c> takes them.</summary>
    public string Urls => string.Join(',', _nodes.Select(n => n.Url));

    public int Count => _nodes.Length;

    /// <summary>Starts <paramref name="count"/> servers (1, or 3 for a cluster) and waits until JetStream answers.</summary>
    public static async Task<NatsNodes> StartAsync(int count)
    {
        if (!File.Exists(Binary))
        {
            throw new InvalidOperationException("nats-server is missing: apt-get install nats-server (./test.sh does).");
        }
        var folder = TempDataFolder.Create(Path.GetTempPath(), "nats");
        var nodes = Enumerable.Range(0, count).Select(i => new Node($"n{i}", LoadServer.FreePort(), LoadServer.FreePort(), Path.Combine(folder.Path, $"n{i}"))).ToArray();
        var set = new NatsNodes(folder, nodes);
        foreach (var node in nodes)
        {
            node.Start(count == 1 ? [] : nodes.Where(n => n != node).Select(n => n.RouteUrl).ToArray());
        }
        foreach (var node in nodes)
        {
            await node.ReadyAsync().ConfigureAwait(false);
        }
        return set;
    }

    /// <summary>Creates (or re-creates) a stream for raw publishing on <paramref name="subject"/>, retrying while the cluster elects its meta leader.</summary>
    public async Task<INatsJSStream> CreateStreamAsync(NatsJSContext js, string name, string subject, int replicas)
    {
        var until = Stopwatch.GetTimestamp() + (60 * Stopwatch.Frequency);
        while (true)
        {
            try
            {
                try
                {
                    await js.DeleteStreamAsync(name).ConfigureAwait(false);
                }
                catch (NatsJSApiException ex) when (ex.Error.Code == 404)
                {
                }
                return await js.CreateStreamAsync(new StreamConfig(name, [subject]) { Storage = StreamConfigStorage.File, NumReplicas = replicas }).ConfigureAwait(false);
            }
            catch (Exception ex) when ((ex is NatsJSApiException or NatsJSApiNoResponseException or NatsNoRespondersException or TimeoutException) && Stopwatch.GetTimestamp() < until)
            {
                await Task.Delay(200).ConfigureAwait(false); // the cluster elects a meta leader: nothing to wait on but asking again
            }
        }
    }

    /// <summary>Waits (bounded) until <paramref name="stream"/> has a leader and every replica is current; returns the leader's name.</summary>
    public static async Task<string> StreamLeaderAsync(NatsJSContext js, string stream, TimeSpan bound)
    {
        var until = Stopwatch.GetTimestamp() + (long)(bound.TotalSeconds * Stopwatch.Frequency);
        while (true)
        {
            try
            {
                var info = (await js.GetStreamAsync(stream).ConfigureAwait(false)).Info;
                if (info.Cluster?.Leader is { Length: > 0 } leader && (info.Cluster.Replicas ?? []).All(r => r.Current && !r.Offline))
                {
                    return leader;
                }
            }
            catch (Exception ex) when (ex is NatsJSApiException or NatsJSApiNoResponseException or NatsNoRespondersException or TimeoutException)
            {
            }
            if (Stopwatch.GetTimestamp() > until)
            {
                throw new TimeoutException($"The stream {stream} had no current leader and replicas within {bound.TotalSeconds:F0} s.");
            }
            await Task.Delay(100).ConfigureAwait(false); // polling the cluster's view: no event to wait on
        }
    }

    /// <summary>SIGKILLs the server named <paramref name="name"/>.</summary>
    public void Kill(string name) => Find(name).Kill();

    /// <summary>Starts the server named <paramref name="name"/> again, on its ports and store, and waits until it is ready.</summary>
    public async Task RestartAsync(string name)
    {
        var node = Find(name);
        node.Start(_nodes.Where(n => n != node).Select(n => n.RouteUrl).ToArray());
        await node.ReadyAsync().ConfigureAwait(false);
    }

    private Node Find(string name) => _nodes.Single(n => n.Name == name);

    public async ValueTask DisposeAsync()
    {
        foreach (var node in _nodes)
        {
            await node.StopAsync().ConfigureAwait(false);
        }
        _folder.Dispose();
    }

    private sealed class Node(string name, int port, int routePort, string store)
    {
        private readonly ConcurrentQueue<string> _log = new();
        private Process? _process;
        private TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public string Name => name;

        public string Url => $"nats://127.0.0.1:{port}";

        public string RouteUrl => $"nats://127.0.0.1:{routePort}";

        public void Start(string[] routes)
        {
            _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
            var start = new ProcessStartInfo(Binary) { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
            var args = new List<string> { "-js", "-n", name, "-a", "127.0.0.1", "-p", port.ToString(CultureInfo.InvariantCulture), "-sd", store };
            if (routes.Length > 0)
            {
                args.AddRange(["--cluster_name", "pulseboard-bench", "--cluster", RouteUrl, "--routes", string.Join(',', routes)]);
            }
            foreach (var arg in args)
            {
                start.ArgumentList.Add(arg);
            }
            _process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {Binary}");
            _process.ErrorDataReceived += (_, e) => Logged(e.Data);
            _process.OutputDataReceived += (_, e) => Logged(e.Data);
            _process.BeginErrorReadLine();
            _process.BeginOutputReadLine();
        }

        private void Logged(string? line)
        {
            _log.Enqueue(line ?? "");
            if (line?.Contains("Server is ready", StringComparison.Ordinal) == true)
            {
                _ready.TrySetResult();
            }
        }

        public async Task ReadyAsync()
        {
            var exited = _process!.WaitForExitAsync();
            if (await Task.WhenAny(_ready.Task, exited).WaitAsync(TimeSpan.FromSeconds(60)).ConfigureAwait(false) == exited)
            {
                throw new InvalidOperationException($"nats-server {name} exited:\n{string.Join('\n', _log)}");
            }
        }

        public void Kill()
        {
            if (_process is { HasExited: false })
            {
                _process.Kill(); // SIGKILL
                _process.WaitForExit();
            }
        }

        public async Task StopAsync()
        {
            if (_process is null)
            {
                return;
            }
            if (!_process.HasExited)
            {
                _process.Kill();
            }
            await _process.WaitForExitAsync().ConfigureAwait(false);
            _process.Dispose();
        }
    }
}
