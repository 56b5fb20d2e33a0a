using System.Collections.Concurrent;
using System.Diagnostics;

namespace Pulseboard.Tests.Support;

/// <summary>
/// Debian's prometheus-alertmanager on 127.0.0.1, routing every alert to one webhook (group_wait 0s, group_interval 1s,
/// resolved notices sent), with its own config and storage in a temp folder; killed by its pid on disposal.
/// </summary>
internal sealed class AlertmanagerProcess : IAsyncDisposable
{
    /// <summary>Where Debian's package puts the binary.</summary>
    public const string Binary = "/usr/bin/prometheus-alertmanager";

    private readonly Process _process;
    private readonly TempDirectory _folder;
    private readonly ConcurrentQueue<string> _log = new();

    private AlertmanagerProcess(Process process, TempDirectory folder, int port)
    {
        _process = process;
        _folder = folder;
        Url = $"http://127.0.0.1:{port}";
    }

    /// <summary>Its base address, http://127.0.0.1:port (a notifier's url).</summary>
    public string Url { get; }

    /// <summary>What it logged, for a test's output.</summary>
    public IEnumerable<string> Log => _log;

    /// <summary>Starts it routing to <paramref name="webhook"/>; returns once <c>/-/ready</c> answers (bounded: a minute).</summary>
    public static async Task<AlertmanagerProcess> StartAsync(string webhook)
    {
        Assert.True(File.Exists(Binary), "prometheus-alertmanager is missing: install Debian's prometheus-alertmanager package (./test.sh does).");
        var folder = new TempDirectory();
        var port = TestServer.FreePort();
        var config = Path.Combine(folder.Path, "alertmanager.yml");
        await File.WriteAllTextAsync(config, $"""
            route:
              receiver: hook
              group_by: [alertname, dashboard]
              group_wait: 0s
              group_interval: 1s
              repeat_interval: 1h
            receivers:
              - name: hook
                webhook_configs:
                  - url: {webhook}
                    send_resolved: true
            """);
        var start = new ProcessStartInfo(Binary) { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var arg in new[] { $"--config.file={config}", $"--storage.path={Path.Combine(folder.Path, "data")}", $"--web.listen-address=127.0.0.1:{port}", "--cluster.listen-address=" })
        {
            start.ArgumentList.Add(arg);
        }
        var alertmanager = new AlertmanagerProcess(Process.Start(start)!, folder, port);
        alertmanager._process.ErrorDataReceived += (_, e) => alertmanager._log.Enqueue(e.Data ?? "");
        alertmanager._process.OutputDataReceived += (_, e) => alertmanager._log.Enqueue(e.Data ?? "");
        alertmanager._process.BeginErrorReadLine();
        alertmanager._process.BeginOutputReadLine();
        try
        {
            await alertmanager.WaitReadyAsync();
            return alertmanager;
        }
        catch
        {
            await alertmanager.DisposeAsync();
            throw;
        }
    }

    private async Task WaitReadyAsync()
    {
        using var http = new HttpClient { BaseAddress = new Uri(Url) };
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"prometheus-alertmanager exited with {_process.ExitCode}:\n{string.Join('\n', _log)}");
            }
            bound.Token.ThrowIfCancellationRequested();
            try
            {
                if ((await http.GetAsync("/-/ready", bound.Token)).IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // still starting
            }
            await Task.Delay(TimeSpan.FromMilliseconds(50)); // a short pause, not a busy loop beside the children
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
        }
        await _process.WaitForExitAsync();
        _process.Dispose();
        _folder.Dispose();
    }
}
