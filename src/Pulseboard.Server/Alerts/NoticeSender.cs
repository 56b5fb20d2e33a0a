using System.Net;
using System.Net.Sockets;

namespace Pulseboard.Server.Alerts;

/// <summary>What one attempt to send a notice gave.</summary>
/// <param name="Delivered">The receiver answered 2xx.</param>
/// <param name="Permanent">Trying again cannot help: the SSRF guard refused the address, the receiver redirected (3xx),
/// or it rejected the notice (a 4xx other than 408 and 429).</param>
/// <param name="Detail">The status and the start of the answer, or the error: for logs and <c>notify-test</c>.</param>
/// <param name="Refused">The SSRF guard refused the address (then <paramref name="Permanent"/> too).</param>
internal sealed record SendResult(bool Delivered, bool Permanent, string Detail, bool Refused = false);

/// <summary>
/// Sends notices over HTTP through the SSRF guard: the connection goes to an address the guard checked for this very
/// request (SocketsHttpHandler.ConnectCallback), no proxy, no redirects.
/// </summary>
/// <remarks>Thread-safe; one per server, disposed with it.</remarks>
internal sealed class NoticeSender : IDisposable
{
    /// <summary>The longest one attempt may take: a receiver that hangs is a failed attempt, retried later.</summary>
    public static readonly TimeSpan AttemptTimeout = TimeSpan.FromSeconds(10);

    private readonly HttpClient _guarded = Create(allowPrivate: false);
    private readonly HttpClient _private = Create(allowPrivate: true); // its own pool: a connection allowed for one notifier is never reused for a guarded one

    public async Task<SendResult> SendAsync(Notifier notifier, AlertNotice notice, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(notifier);
        using var request = NoticeBodies.Build(notifier, notice);
        var http = notifier.AllowPrivate ? _private : _guarded;
        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            var answer = await ReadStartAsync(response, cancellationToken).ConfigureAwait(false);
            var status = (int)response.StatusCode;
            var detail = $"{status} {response.ReasonPhrase}{(answer.Length > 0 ? ": " + answer : "")}";
            if (response.IsSuccessStatusCode)
            {
                return new SendResult(true, false, detail);
            }
            // A redirect is not followed (it could point anywhere) and a 4xx rejects the body: neither changes by trying again.
            var permanent = status is >= 300 and < 500 and not 408 and not 429;
            return new SendResult(false, permanent, detail);
        }
        catch (HttpRequestException ex) when (Refusal(ex) is { } refused)
        {
            // A refused address is refused again; a name that did not resolve may resolve on the next try (a DNS blip
            // often comes with the very outage an alert is about), so that one is retried.
            return new SendResult(false, !refused.Unresolved, refused.Message, Refused: !refused.Unresolved);
        }
        catch (HttpRequestException ex)
        {
            return new SendResult(false, false, ex.Message);
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new SendResult(false, false, $"no answer within {AttemptTimeout.TotalSeconds:0} s");
        }
    }

    public void Dispose()
    {
        _guarded.Dispose();
        _private.Dispose();
    }

    private static HttpClient Create(bool allowPrivate)
    {
        var handler = new SocketsHttpHandler
        {
            UseProxy = false, // a proxy would be the address checked, not the receiver
            AllowAutoRedirect = false, // a redirect could point anywhere; a notifier's url is where it goes
            UseCookies = false,
            PooledConnectionLifetime = TimeSpan.FromMinutes(2),
            ConnectCallback = (context, cancellationToken) => ConnectAsync(context.DnsEndPoint, allowPrivate, cancellationToken),
        };
        var http = new HttpClient(handler) { Timeout = AttemptTimeout };
        http.DefaultRequestHeaders.UserAgent.ParseAdd("Pulseboard-Alerts/1.0");
        return http;
    }

    private static NotifierRefusedException? Refusal(Exception ex)
    {
        for (var inner = ex.InnerException; inner is not null; inner = inner.InnerException)
        {
            if (inner is NotifierRefusedException refused)
            {
                return refused;
            }
        }
        return null;
    }

    private static async ValueTask<Stream> ConnectAsync(DnsEndPoint endpoint, bool allowPrivate, CancellationToken cancellationToken)
    {
        var addresses = await SsrfGuard.ResolveAsync(endpoint.Host, allowPrivate, cancellationToken).ConfigureAwait(false);
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(addresses, endpoint.Port, cancellationToken).ConfigureAwait(false);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>The first 200 characters of the answer, on one line: enough to tell a person what the receiver said.</summary>
    private static async Task<string> ReadStartAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var buffer = new byte[512];
        var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            var read = 0;
            int n;
            while (read < buffer.Length && (n = await stream.ReadAsync(buffer.AsMemory(read), cancellationToken).ConfigureAwait(false)) > 0)
            {
                read += n;
            }
            var text = System.Text.Encoding.UTF8.GetString(buffer, 0, read);
            text = new string(text.Select(c => char.IsControl(c) ? ' ' : c).ToArray()).Trim();
            return text.Length > 200 ? text[..200] + "…" : text;
        }
    }
}
