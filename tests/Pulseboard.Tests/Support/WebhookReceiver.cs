using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Pulseboard.Tests.Support;

/// <summary>
/// A tiny HTTP receiver on 127.0.0.1: records every request (path, headers, body) and answers with the statuses queued
/// in <see cref="Answers"/>, then 200. Tests wait on what it received with a bound, never with a sleep.
/// </summary>
internal sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly List<Received> _received = [];
    private readonly Lock _gate = new();
    private readonly SemaphoreSlim _arrived = new(0);

    private WebhookReceiver(WebApplication app)
    {
        _app = app;
    }

    /// <summary>One request as it arrived.</summary>
    internal sealed record Received(string Method, string Path, IReadOnlyDictionary<string, string> Headers, string Body);

    /// <summary>Statuses to answer with, in order; 200 once empty.</summary>
    public ConcurrentQueue<int> Answers { get; } = new();

    /// <summary>The receiver's base address, http://127.0.0.1:port.</summary>
    public string Url { get; private set; } = "";

    public IReadOnlyList<Received> Requests
    {
        get
        {
            lock (_gate)
            {
                return [.. _received];
            }
        }
    }

    public static async Task<WebhookReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var receiver = new WebhookReceiver(app);
        app.Map("/{**path}", async (HttpContext context) =>
        {
            using var reader = new StreamReader(context.Request.Body);
            var body = await reader.ReadToEndAsync();
            var headers = context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
            lock (receiver._gate)
            {
                receiver._received.Add(new Received(context.Request.Method, context.Request.Path + context.Request.QueryString, headers, body));
            }
            receiver._arrived.Release();
            context.Response.StatusCode = receiver.Answers.TryDequeue(out var status) ? status : 200;
            await context.Response.WriteAsync(context.Response.StatusCode == 200 ? "ok" : "not now");
        });
        await app.StartAsync();
        receiver.Url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return receiver;
    }

    /// <summary>Waits until the requests received satisfy <paramref name="condition"/>, for at most <paramref name="bound"/> (default 60 s).</summary>
    public async Task<IReadOnlyList<Received>> WaitForAsync(Func<IReadOnlyList<Received>, bool> condition, TimeSpan? bound = null)
    {
        using var timeout = new CancellationTokenSource(bound ?? TimeSpan.FromSeconds(60));
        while (true)
        {
            var requests = Requests;
            if (condition(requests))
            {
                return requests;
            }
            try
            {
                await _arrived.WaitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"the receiver got {requests.Count} requests, not what the test waited for: {string.Join(" | ", requests.Select(r => r.Body))}");
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _arrived.Dispose();
    }
}
