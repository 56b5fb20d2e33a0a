using System.Net;
using Pulseboard.Server.Alerts;
using Pulseboard.Tests.Support;

namespace Pulseboard.Tests.Alerts;

/// <summary>
/// The SSRF guard, tested by refusal only: literal private, loopback and link-local addresses (and their IPv4-mapped
/// forms) and a name that resolves to loopback are refused before any connection; nothing here sends traffic anywhere.
/// </summary>
public sealed class SsrfGuardTests
{
    [Theory]
    [InlineData("10.0.0.1", "private (10.0.0.0/8)")]
    [InlineData("172.16.0.1", "private (172.16.0.0/12)")]
    [InlineData("172.31.255.255", "private (172.16.0.0/12)")]
    [InlineData("192.168.1.1", "private (192.168.0.0/16)")]
    [InlineData("127.0.0.1", "loopback")]
    [InlineData("127.255.0.9", "loopback")]
    [InlineData("169.254.169.254", "link-local (169.254.0.0/16, where cloud metadata services answer)")]
    [InlineData("0.0.0.0", "unspecified")]
    [InlineData("100.64.0.1", "private (100.64.0.0/10, carrier-grade NAT)")]
    [InlineData("::1", "loopback")]
    [InlineData("::", "unspecified")]
    [InlineData("fc00::1", "private (fc00::/7, unique local)")]
    [InlineData("fd12:3456::1", "private (fc00::/7, unique local)")]
    [InlineData("fe80::1", "link-local (fe80::/10)")]
    [InlineData("::ffff:127.0.0.1", "an IPv4-mapped form of loopback")]
    [InlineData("::ffff:10.1.2.3", "an IPv4-mapped form of private (10.0.0.0/8)")]
    [InlineData("::ffff:169.254.169.254", "an IPv4-mapped form of link-local (169.254.0.0/16, where cloud metadata services answer)")]
    [InlineData("::127.0.0.1", "an IPv4-compatible form of loopback")]
    [InlineData("224.0.0.1", "multicast or reserved (224.0.0.0/3)")]
    [InlineData("255.255.255.255", "multicast or reserved (224.0.0.0/3)")]
    [InlineData("192.0.0.170", "special-purpose (192.0.0.0/24)")]
    [InlineData("198.19.4.4", "special-purpose (198.18.0.0/15, network benchmarking)")]
    [InlineData("::ffff:0:127.0.0.1", "an IPv4-translated form of loopback")]
    [InlineData("64:ff9b::a9fe:a9fe", "a NAT64 form of link-local (169.254.0.0/16, where cloud metadata services answer)")]
    [InlineData("64:ff9b:1::1", "private (64:ff9b:1::/48, local-use NAT64)")]
    [InlineData("2002:0a00:0001::1", "a 6to4 form of private (10.0.0.0/8)")]
    [InlineData("2001:0:4136:e378:8000:63bf:80ff:fffe", "a Teredo form of loopback")]
    public void Private_loopback_link_local_and_unspecified_addresses_are_refused(string address, string why) =>
        Assert.Equal(why, SsrfGuard.Refuses(IPAddress.Parse(address)));

    [Theory]
    [InlineData("8.8.8.8")]
    [InlineData("172.32.0.1")]
    [InlineData("192.169.0.1")]
    [InlineData("2606:4700:4700::1111")]
    [InlineData("::ffff:8.8.8.8")]
    [InlineData("64:ff9b::808:808")]
    [InlineData("2002:0808:0808::1")]
    [InlineData("198.20.0.1")]
    public void Public_addresses_pass(string address) => Assert.Null(SsrfGuard.Refuses(IPAddress.Parse(address)));

    [Theory]
    [InlineData("localhost", "localhost resolves to")]
    [InlineData("127.0.0.1", "127.0.0.1 is loopback")]
    [InlineData("[::1]", "::1 is loopback")]
    [InlineData("169.254.169.254", "169.254.169.254 is link-local")]
    [InlineData("[::ffff:192.168.0.10]", "::ffff:192.168.0.10 is an IPv4-mapped form of private")]
    public async Task A_host_is_refused_with_why_and_the_fix(string host, string start)
    {
        var error = await Assert.ThrowsAsync<NotifierRefusedException>(() => SsrfGuard.ResolveAsync(host, allowPrivate: false, CancellationToken.None));
        Assert.StartsWith(start, error.Message, StringComparison.Ordinal);
        Assert.Contains("refused by the SSRF guard", error.Message, StringComparison.Ordinal);
        Assert.Contains("allow_private: true", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Allow_private_lets_loopback_through()
    {
        var addresses = await SsrfGuard.ResolveAsync("localhost", allowPrivate: true, CancellationToken.None);
        Assert.All(addresses, a => Assert.True(IPAddress.IsLoopback(a)));
    }

    [Theory]
    [InlineData("http://localhost:{port}/hook")]
    [InlineData("http://127.0.0.1:{port}/hook")]
    [InlineData("http://[::ffff:127.0.0.1]:{port}/hook")]
    [InlineData("http://169.254.169.254/latest/meta-data")]
    [InlineData("http://10.1.2.3/hook")]
    public async Task A_real_send_is_refused_before_it_connects(string url)
    {
        // A receiver listens on loopback: had the guard let the send through, it would have arrived there.
        await using var receiver = await WebhookReceiver.StartAsync();
        var port = new Uri(receiver.Url).Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var notifier = new Notifier("inside", NotifierKind.Webhook, new Uri(url.Replace("{port}", port, StringComparison.Ordinal)), null, AllowPrivate: false);
        using var sender = new NoticeSender();
        var result = await sender.SendAsync(notifier, DeliveryRig.Notice("x"), CancellationToken.None);
        Assert.False(result.Delivered);
        Assert.True(result.Permanent);
        Assert.True(result.Refused);
        Assert.Contains("refused by the SSRF guard", result.Detail, StringComparison.Ordinal);
        Assert.Empty(receiver.Requests);
    }
}
