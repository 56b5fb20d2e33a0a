using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;

namespace Pulseboard.Tests.Support;

/// <summary>
/// A real <c>pulseboard serve</c> process on 127.0.0.1 with the sample dashboards, for tests that kill it or measure
/// it from outside (an in-process <see cref="TestServer"/> can do neither).
/// </summary>
/// <remarks>
/// <see cref="StartAsync"/> returns once <c>/healthz</c> answers. The test stops the process by its pid: SIGTERM
/// (<see cref="StopAsync"/>) or SIGKILL (<see cref="Kill"/>). Disposal kills a process still running, so a failed
/// assertion never leaves a server behind.
/// </remarks>
internal sealed class ServerProcess : IDisposable
{
    private const int TailLines = 40;
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _tail = new();

    private ServerProcess(Process process, int port)
    {
        _process = process;
        Url = new Uri($"http://127.0.0.1:{port}");
    }

    /// <summary>The server's process id, for <c>/proc/&lt;pid&gt;</c>.</summary>
    public int Pid => _process.Id;

    /// <summary>Where it listens.</summary>
    public Uri Url { get; }

    /// <summary>The last lines the server wrote (stdout and stderr), for failure messages.</summary>
    public string Tail => string.Join('\n', _tail);

    /// <summary>
    /// Starts the server on <paramref name="data"/> and <paramref name="port"/>, with <paramref name="dashboards"/> (default:
    /// the sample dashboards) and <paramref name="extra"/> arguments (<c>--notifiers FILE</c>); waits (up to a minute) for <c>/healthz</c>.
    /// </summary>
    public static async Task<ServerProcess> StartAsync(string data, int port, string? dashboards = null, IEnumerable<string>? extra = null)
    {
        var start = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[]
                 {
                     Path.Combine(AppContext.BaseDirectory, "pulseboard.dll"), "serve", "--data", data,
                     "--dashboards", dashboards ?? Path.Combine(Repo.Root, "dashboards"), "--urls", $"http://127.0.0.1:{port}",
                 }.Concat(extra ?? []))
        {
            start.ArgumentList.Add(arg);
        }
        var server = new ServerProcess(Process.Start(start)!, port);
        try
        {
            server.KeepTail();
            await server.WaitHealthyAsync();
            return server;
        }
        catch
        {
            server.Dispose();
            throw;
        }
    }

    /// <summary>SIGKILL: the process dies at once, mid-write if it is writing.</summary>
    public void Kill() => _process.Kill();

    /// <summary>Waits (bounded) for the process to end, however it was stopped.</summary>
    public Task WaitForExitAsync(TimeSpan bound) => _process.WaitForExitAsync().WaitAsync(bound);

    /// <summary>SIGTERM, then waits up to a minute for the graceful shutdown to finish. Returns the exit code.</summary>
    public async Task<int> StopAsync()
    {
        using (var term = Process.Start("kill", ["-TERM", Pid.ToString(CultureInfo.InvariantCulture)])!)
        {
            await term.WaitForExitAsync();
        }
        await WaitForExitAsync(TimeSpan.FromMinutes(1));
        return _process.ExitCode;
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            _process.WaitForExit(TimeSpan.FromSeconds(30));
        }
        _process.Dispose();
    }

    /// <summary>Reads both outputs as they come (a full pipe would block the server) and keeps the last lines.</summary>
    private void KeepTail()
    {
        _process.OutputDataReceived += Keep;
        _process.ErrorDataReceived += Keep;
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    private void Keep(object sender, DataReceivedEventArgs line)
    {
        if (line.Data is null)
        {
            return;
        }
        _tail.Enqueue(line.Data);
        while (_tail.Count > TailLines && _tail.TryDequeue(out _))
        {
        }
    }

    private async Task WaitHealthyAsync()
    {
        using var probe = new HttpClient { BaseAddress = Url };
        using var bound = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"The server exited with {_process.ExitCode} before /healthz answered:\n{Tail}");
            }
            try
            {
                using var response = await probe.GetAsync("/healthz", bound.Token);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // still starting
            }
            catch (OperationCanceledException) when (bound.IsCancellationRequested)
            {
                throw new TimeoutException($"The server did not answer /healthz within a minute:\n{Tail}");
            }
            await Task.Delay(TimeSpan.FromMilliseconds(50)); // a short pause, not a busy loop beside the children
        }
    }

    /// <summary>The node's cache of <paramref name="dashboard"/>, as served, once its position reaches <paramref name="position"/> (bounded: a minute).</summary>
    public async Task<string> CacheAtAsync(string dashboard, long position)
    {
        using var http = new HttpClient();
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (true)
        {
            bound.Token.ThrowIfCancellationRequested();
            using var response = await http.GetAsync(new Uri(Url, $"/api/dashboards/{dashboard}"), bound.Token);
            if (response.IsSuccessStatusCode)
            {
                var cache = await response.Content.ReadAsStringAsync(bound.Token);
                if (System.Text.Json.JsonDocument.Parse(cache).RootElement.TryGetProperty("position", out var at) && at.GetInt64() >= position)
                {
                    return cache;
                }
            }
            await Task.Delay(TimeSpan.FromMilliseconds(50), bound.Token); // a short pause, not a busy loop beside the children
        }
    }
}
