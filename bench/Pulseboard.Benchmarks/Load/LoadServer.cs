using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Pulseboard.Benchmarks.Throughput;

namespace Pulseboard.Benchmarks.Load;

/// <summary>
/// The server under load: one given by <c>--url</c>, or a <c>pulseboard serve</c> this starts as its own process (the
/// repository's <c>./pulseboard</c> script, which builds the command when its sources changed) on a fresh data folder
/// with the sample dashboards, on a free loopback port, stopped and deleted afterwards.
/// </summary>
internal sealed class LoadServer : IAsyncDisposable
{
    private readonly Process? _process;
    private readonly TempDataFolder? _data;

    private LoadServer(Uri url, string? token, Process? process, TempDataFolder? data)
    {
        Url = url;
        _process = process;
        _data = data;
        Http = Client(url, token);
    }

    public Uri Url { get; }

    /// <summary>True when this started the server: it then knows the log held nothing before the run.</summary>
    public bool Owned => _process is not null;

    public HttpClient Http { get; }

    public static HttpClient Client(Uri url, string? token)
    {
        var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = int.MaxValue, PooledConnectionLifetime = Timeout.InfiniteTimeSpan })
        {
            BaseAddress = url,
            Timeout = TimeSpan.FromMinutes(2),
        };
        if (token is not null)
        {
            http.DefaultRequestHeaders.Authorization = new("Bearer", token);
        }
        return http;
    }

    public static async Task<LoadServer> StartAsync(LoadOptions options)
    {
        if (options.Url is { } url)
        {
            var given = new LoadServer(url, options.Token, null, null);
            await given.WaitHealthyAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
            return given;
        }
        return await StartOwnedAsync("load", ["--durability", options.Durability]).ConfigureAwait(false);
    }

    /// <summary>Starts <c>./pulseboard serve</c> on a fresh data folder and a free loopback port, with <paramref name="extra"/> arguments.</summary>
    public static async Task<LoadServer> StartOwnedAsync(string label, IEnumerable<string> extra)
    {
        var root = Path.GetDirectoryName(DashboardsFolder.Find())!;
        var data = TempDataFolder.Create(Path.GetTempPath(), label);
        var address = new Uri($"http://127.0.0.1:{FreePort()}");
        var start = new ProcessStartInfo(Path.Combine(root, "pulseboard"))
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in new[] { "serve", "--data", data.Path, "--dashboards", Path.Combine(root, "dashboards"), "--urls", address.ToString().TrimEnd('/') }.Concat(extra))
        {
            start.ArgumentList.Add(arg);
        }
        Console.Error.WriteLine($"{label}: starting pulseboard serve on {address} (data in {data.Path})...");
        var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start ./pulseboard serve.");
        var errors = new System.Text.StringBuilder();
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, e) => { lock (errors) { errors.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var server = new LoadServer(address, null, process, data);
        try
        {
            await server.WaitHealthyAsync(TimeSpan.FromMinutes(3)).ConfigureAwait(false); // the first use builds the command
        }
        catch (TimeoutException)
        {
            await server.DisposeAsync().ConfigureAwait(false);
            lock (errors)
            {
                throw new TimeoutException($"pulseboard serve did not answer /healthz within 3 minutes.\n{errors}");
            }
        }
        return server;
    }

    private async Task WaitHealthyAsync(TimeSpan bound)
    {
        using var timeout = new CancellationTokenSource(bound);
        while (true)
        {
            if (_process is { HasExited: true })
            {
                throw new TimeoutException($"pulseboard serve exited with code {_process.ExitCode}.");
            }
            try
            {
                using var response = await Http.GetAsync("/healthz", timeout.Token).ConfigureAwait(false);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"{Url} did not answer /healthz within {bound.TotalSeconds:F0} s.");
            }
            await Task.Delay(100, timeout.Token).ConfigureAwait(false); // polling a process that is starting: no event to wait on
        }
    }

    /// <summary>One sample's value from <c>/metrics</c> (the first line that starts with <paramref name="series"/> and a space).</summary>
    public async Task<double?> MetricAsync(string series)
    {
        var text = await Http.GetStringAsync("/metrics").ConfigureAwait(false);
        foreach (var line in text.AsSpan().EnumerateLines())
        {
            if (line.StartsWith(series) && line.Length > series.Length && line[series.Length] == ' ')
            {
                return double.Parse(line[(series.Length + 1)..], CultureInfo.InvariantCulture);
            }
        }
        return null;
    }

    /// <summary>Waits until the projector has every appended event in the caches (bounded).</summary>
    public async Task WaitCaughtUpAsync(TimeSpan bound)
    {
        var until = Stopwatch.GetTimestamp() + (long)(bound.TotalSeconds * Stopwatch.Frequency);
        while (await MetricAsync("pulseboard_projector_lag_events").ConfigureAwait(false) is not 0 && Stopwatch.GetTimestamp() < until)
        {
            await Task.Delay(50).ConfigureAwait(false);
        }
    }

    /// <summary>The server process's peak resident memory and CPU time, when this started it; from /proc.</summary>
    public (double PeakMb, double CpuSeconds)? ProcessFigures()
    {
        if (_process is null || _process.HasExited)
        {
            return null;
        }
        _process.Refresh();
        var peak = File.ReadLines($"/proc/{_process.Id}/status").FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        var kb = peak is null ? 0 : double.Parse(peak["VmHWM:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
        return (kb / 1024, _process.TotalProcessorTime.TotalSeconds);
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        if (_process is not null)
        {
            if (!_process.HasExited)
            {
                // The script execs dotnet, so this pid is the server: SIGTERM lets it stop gracefully.
                using (var term = Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)]))
                {
                    await term.WaitForExitAsync().ConfigureAwait(false);
                }
                try
                {
                    await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(false);
                }
                catch (TimeoutException)
                {
                    _process.Kill(entireProcessTree: true);
                }
            }
            _process.Dispose();
        }
        _data?.Dispose();
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
