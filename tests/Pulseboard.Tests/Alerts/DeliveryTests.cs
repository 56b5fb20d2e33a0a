using System.Text.Json;
using Pulseboard.Server.Alerts;
using Pulseboard.Tests.Support;

namespace Pulseboard.Tests.Alerts;

/// <summary>The outbox delivers to a real receiver on 127.0.0.1, retries with backoff on a fake clock, and gives up counted.</summary>
public sealed class DeliveryTests : IDisposable
{
    private readonly TempDirectory _data = new();

    public void Dispose() => _data.Dispose();

    private static string Hook(string url, string extra = "") => $"""
        hook:
          kind: webhook
          url: {url}/hook
          allow_private: true
        {extra}
        """;

    [Fact]
    public async Task A_receiver_answering_500_then_200_gets_the_notice_again_after_the_backoff_and_it_is_delivered_once()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Answers.Enqueue(500);
        await using var rig = await DeliveryRig.StartAsync(_data.Path, Hook(receiver.Url));
        rig.Outbox.Enqueue(DeliveryRig.Notice("episode-1"));

        await DeliveryRig.UntilAsync(() => rig.Outbox.Pending is [{ Attempts: 1 }], "the first attempt to fail");
        var pending = Assert.Single(rig.Outbox.Pending);
        Assert.Equal(DeliveryRig.Start + rig.Policy.FirstRetry, pending.NextAttempt);
        Assert.StartsWith("500", pending.LastError, StringComparison.Ordinal);
        Assert.Single(receiver.Requests);

        rig.Fake.Advance(rig.Policy.FirstRetry);
        await DeliveryRig.UntilAsync(() => rig.Outbox.PendingCount == 0, "the retry to be delivered");
        var requests = receiver.Requests;
        Assert.Equal(2, requests.Count);
        Assert.All(requests, r => Assert.Equal("episode-1", JsonDocument.Parse(r.Body).RootElement.GetProperty("id").GetString()));
        Assert.Equal(1, rig.Counters.Get("hook", DeliveryCounters.Delivered));
        Assert.Equal(1, rig.Counters.Get("hook", DeliveryCounters.FailedAttempt));
        Assert.Equal(0, rig.Counters.Get("hook", DeliveryCounters.GivenUp));
    }

    [Fact]
    public async Task An_unreachable_receiver_is_retried_with_growing_waits_then_given_up_after_the_bound_and_counted()
    {
        var port = TestServer.FreePort(); // nothing listens there: every attempt is refused at once
        await using var rig = await DeliveryRig.StartAsync(_data.Path, Hook($"http://127.0.0.1:{port}"));
        rig.Outbox.Enqueue(DeliveryRig.Notice("episode-2"));

        var waited = TimeSpan.Zero;
        for (var attempt = 1; attempt <= 4; attempt++)
        {
            await DeliveryRig.UntilAsync(() => rig.Outbox.Pending is [{ } d] && d.Attempts == attempt, $"attempt {attempt} to fail");
            var wait = rig.Policy.Backoff(attempt);
            Assert.Equal(rig.Policy.FirstRetry * Math.Pow(2, attempt - 1), wait); // 2 s, 4 s, 8 s, 16 s
            Assert.Equal(DeliveryRig.Start + waited + wait, rig.Outbox.Pending[0].NextAttempt);
            rig.Fake.Advance(wait);
            waited += wait;
        }
        await DeliveryRig.UntilAsync(() => rig.Outbox.Pending is [{ Attempts: 5 }], "attempt 5 to fail");
        Assert.Equal(0, rig.Counters.Get("hook", DeliveryCounters.GivenUp));

        rig.Fake.Advance(rig.Policy.GiveUpAfter); // the next attempt comes after the bound
        await DeliveryRig.UntilAsync(() => rig.Outbox.PendingCount == 0, "the delivery to be given up");
        Assert.Equal(1, rig.Counters.Get("hook", DeliveryCounters.GivenUp));
        Assert.Equal(6, rig.Counters.Get("hook", DeliveryCounters.FailedAttempt));
        Assert.Equal(0, rig.Counters.Get("hook", DeliveryCounters.Delivered));
        Assert.Contains("\"outcome\":\"given_up\"", await File.ReadAllTextAsync(rig.Outbox.Path), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Each_notifier_gets_its_notices_in_order_and_one_notifiers_failure_holds_back_only_its_own()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var down = TestServer.FreePort();
        await using var rig = await DeliveryRig.StartAsync(_data.Path, Hook(receiver.Url, $"""
            down:
              kind: webhook
              url: http://127.0.0.1:{down}/
              allow_private: true
            """));
        for (var i = 0; i < 20; i++)
        {
            rig.Outbox.Enqueue(DeliveryRig.Notice($"n{i}", i % 2 == 0 ? "firing" : "resolved", "hook", "down"));
        }
        await receiver.WaitForAsync(r => r.Count == 20);
        Assert.Equal(Enumerable.Range(0, 20).Select(i => $"n{i}"), receiver.Requests.Select(r => JsonDocument.Parse(r.Body).RootElement.GetProperty("id").GetString()));
        await DeliveryRig.UntilAsync(() => rig.Outbox.Pending.Count == 20 && rig.Outbox.Pending[0].Attempts == 1, "the down notifier's first attempt to fail");
        Assert.All(rig.Outbox.Pending, d => Assert.Equal("down", d.Notifier));
        Assert.Equal(1, rig.Counters.Get("down", DeliveryCounters.FailedAttempt)); // the 19 behind it were not tried
    }

    [Fact]
    public async Task A_notice_for_a_notifier_that_does_not_exist_or_a_refused_address_is_given_up_at_once_and_counted()
    {
        await using var rig = await DeliveryRig.StartAsync(_data.Path, """
            inside:
              kind: webhook
              url: http://10.20.30.40/hook
            """);
        rig.Outbox.Enqueue(DeliveryRig.Notice("e1", "firing", "nobody", "inside"));
        await DeliveryRig.UntilAsync(() => rig.Outbox.PendingCount == 0, "both to be given up");
        Assert.Equal(1, rig.Counters.Get("nobody", DeliveryCounters.GivenUp));
        Assert.Equal(1, rig.Counters.Get("inside", DeliveryCounters.GivenUp));
    }

    [Fact]
    public async Task Delivered_notices_are_not_sent_again_after_a_restart_and_pending_ones_are()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var port = TestServer.FreePort();
        var yaml = Hook(receiver.Url, $"""
            later:
              kind: webhook
              url: http://127.0.0.1:{port}/
              allow_private: true
            """);
        await using (var rig = await DeliveryRig.StartAsync(_data.Path, yaml))
        {
            rig.Outbox.Enqueue(DeliveryRig.Notice("a", "firing", "hook", "later"));
            rig.Outbox.Enqueue(DeliveryRig.Notice("b", "firing", "hook"));
            await receiver.WaitForAsync(r => r.Count == 2);
            await DeliveryRig.UntilAsync(() => rig.Outbox.Pending is [{ Notifier: "later", Attempts: 1 }], "the later notifier to fail once");
        }
        await using var reopened = await DeliveryRig.StartAsync(_data.Path, Hook(receiver.Url, $"""
            later:
              kind: webhook
              url: {receiver.Url}/later
              allow_private: true
            """));
        await DeliveryRig.UntilAsync(() => reopened.Outbox.PendingCount == 0, "the pending delivery after the restart");
        var requests = receiver.Requests;
        Assert.Equal(3, requests.Count);
        Assert.Equal("/later", requests[2].Path);
        Assert.Equal("a", JsonDocument.Parse(requests[2].Body).RootElement.GetProperty("id").GetString());
    }

    [Theory]
    [InlineData(400)]
    [InlineData(404)]
    [InlineData(302)]
    public async Task A_receiver_that_rejects_or_redirects_is_not_retried_the_delivery_is_given_up_and_counted(int status)
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Answers.Enqueue(status);
        await using var rig = await DeliveryRig.StartAsync(_data.Path, Hook(receiver.Url));
        rig.Outbox.Enqueue(DeliveryRig.Notice("rejected"));
        rig.Outbox.Enqueue(DeliveryRig.Notice("next"));
        await receiver.WaitForAsync(r => r.Count == 2);
        await DeliveryRig.UntilAsync(() => rig.Outbox.PendingCount == 0, "both to be done");
        Assert.Equal(1, rig.Counters.Get("hook", DeliveryCounters.GivenUp));
        Assert.Equal(1, rig.Counters.Get("hook", DeliveryCounters.FailedAttempt));
        Assert.Equal(1, rig.Counters.Get("hook", DeliveryCounters.Delivered)); // the next notice was not held back
    }
}
