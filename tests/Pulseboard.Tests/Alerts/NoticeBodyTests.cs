using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Pulseboard.Server.Alerts;
using Pulseboard.Tests.Support;

namespace Pulseboard.Tests.Alerts;

/// <summary>What each kind of notifier receives, on the wire of a real receiver on 127.0.0.1.</summary>
public sealed class NoticeBodyTests
{
    private static async Task<WebhookReceiver.Received> SendAsync(WebhookReceiver receiver, NotifierKind kind, AlertNotice notice, string? secret = null)
    {
        using var sender = new NoticeSender();
        var result = await sender.SendAsync(new Notifier("n", kind, new Uri(receiver.Url + "/topic"), secret, AllowPrivate: true), notice, CancellationToken.None);
        Assert.True(result.Delivered, result.Detail);
        return (await receiver.WaitForAsync(r => r.Count == 1))[0];
    }

    [Fact]
    public async Task A_webhook_gets_the_notice_as_json_signed_with_hmac_sha256_of_the_body()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var received = await SendAsync(receiver, NotifierKind.Webhook, DeliveryRig.Notice("ep-1", "resolved"), secret: "s3cret");
        Assert.Equal("POST", received.Method);
        Assert.Equal("/topic", received.Path);
        Assert.StartsWith("application/json", received.Headers["Content-Type"], StringComparison.Ordinal);
        Assert.Equal(
            """{"id":"ep-1","status":"resolved","alert":"model-down","dashboard":"fleet","section":"nodes","labels":{"source":"llama-3"},"summary":"llama-3 on fleet/nodes is down (last seen 12:03:04Z)","startsAt":"2026-12-01T12:00:00Z","endsAt":"2026-12-01T12:05:00Z","url":"http://127.0.0.1:5080/d/fleet"}""",
            received.Body);
        var expected = "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData("s3cret"u8, Encoding.UTF8.GetBytes(received.Body)));
        Assert.Equal(expected, received.Headers[NoticeBodies.SignatureHeader]);
    }

    [Fact]
    public async Task A_webhook_without_a_secret_is_not_signed_and_a_firing_notice_has_a_null_end()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var received = await SendAsync(receiver, NotifierKind.Webhook, DeliveryRig.Notice("ep-2"));
        Assert.False(received.Headers.ContainsKey(NoticeBodies.SignatureHeader));
        Assert.Equal(JsonValueKind.Null, JsonDocument.Parse(received.Body).RootElement.GetProperty("endsAt").ValueKind);
    }

    [Fact]
    public async Task Slack_gets_text_and_a_block_with_its_control_characters_escaped()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var notice = DeliveryRig.Notice("ep-3") with { Summary = "<!channel> look & see <https://evil.example|here>" };
        var body = JsonDocument.Parse((await SendAsync(receiver, NotifierKind.Slack, notice)).Body).RootElement;
        var text = body.GetProperty("text").GetString()!;
        Assert.Equal(":rotating_light: FIRING model-down on fleet/nodes: &lt;!channel&gt; look &amp; see &lt;https://evil.example|here&gt;", text);
        var block = body.GetProperty("blocks")[0];
        Assert.Equal("section", block.GetProperty("type").GetString());
        Assert.Equal("*:rotating_light: FIRING model-down on fleet/nodes*\n&lt;!channel&gt; look &amp; see &lt;https://evil.example|here&gt;\n<http://127.0.0.1:5080/d/fleet|Open the dashboard>",
            block.GetProperty("text").GetProperty("text").GetString());
    }

    [Fact]
    public async Task Ntfy_gets_the_summary_as_the_body_with_title_priority_and_tags_headers()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var notice = DeliveryRig.Notice("ep-4") with { Alert = "modèle-down\r\nX-Evil: 1" };
        var received = await SendAsync(receiver, NotifierKind.Ntfy, notice);
        Assert.Equal("/topic", received.Path);
        Assert.Equal(notice.Summary, received.Body);
        Assert.Equal("high", received.Headers["Priority"]);
        Assert.Equal("rotating_light,pulseboard", received.Headers["Tags"]);
        Assert.Equal("http://127.0.0.1:5080/d/fleet", received.Headers["Click"]);
        // Not printable ASCII: sent as an RFC 2047 encoded word, its control characters dropped, so no header is forged.
        Assert.Equal("=?UTF-8?B?" + Convert.ToBase64String(Encoding.UTF8.GetBytes("[FIRING] modèle-downX-Evil: 1 on fleet")) + "?=", received.Headers["Title"]);
        Assert.False(received.Headers.ContainsKey("X-Evil"));
    }

    [Fact]
    public async Task Alertmanager_gets_a_postable_alerts_array_at_api_v2_alerts()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var notice = DeliveryRig.Notice("ep-5", "resolved") with { Labels = new Dictionary<string, string> { ["source"] = "llama-3", ["gpu.id"] = "0" } };
        var received = await SendAsync(receiver, NotifierKind.Alertmanager, notice);
        Assert.Equal("/topic/api/v2/alerts", received.Path);
        Assert.Equal(
            """[{"labels":{"alertname":"model-down","dashboard":"fleet","gpu_id":"0","section":"nodes","source":"llama-3"},"annotations":{"summary":"llama-3 on fleet/nodes is down (last seen 12:03:04Z)","pulseboard_id":"ep-5"},"startsAt":"2026-12-01T12:00:00Z","endsAt":"2026-12-01T12:05:00Z","generatorURL":"http://127.0.0.1:5080/d/fleet"}]""",
            received.Body);
    }
}
