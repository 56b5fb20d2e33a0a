using System.Text;
using Pulseboard.Server.Alerts;

namespace Pulseboard.Tests.Alerts;

/// <summary>notifiers.yaml: read into notifiers, every problem reported with its file, line, field and the fix.</summary>
public sealed class NotifierSetTests
{
    private static NotifierSet Parse(string yaml) => NotifierSet.Parse("notifiers.yaml", Encoding.UTF8.GetBytes(yaml));

    [Fact]
    public void A_good_file_gives_each_notifier_with_its_kind_url_secret_and_allow_private()
    {
        var set = Parse("""
            team:
              kind: webhook
              url: https://hooks.example.com/pulseboard
              secret: s3cret
            chat:
              kind: slack
              url: https://hooks.slack.com/services/T000/B000/XXXX
            phone:
              kind: ntfy
              url: https://ntfy.sh/pulseboard-alerts
            am:
              kind: alertmanager
              url: http://127.0.0.1:9093
              allow_private: true
            """);
        Assert.Empty(set.Errors);
        Assert.Equal(["team", "chat", "phone", "am"], set.Notifiers.Select(n => n.Name));
        Assert.Equal([NotifierKind.Webhook, NotifierKind.Slack, NotifierKind.Ntfy, NotifierKind.Alertmanager], set.Notifiers.Select(n => n.Kind));
        Assert.Equal("s3cret", set.Find("team")!.Secret);
        Assert.True(set.Find("am")!.AllowPrivate);
        Assert.False(set.Find("team")!.AllowPrivate);
        Assert.Equal(new HashSet<string> { "team", "chat", "phone", "am" }, set.Names.ToHashSet());
        Assert.Equal("team (webhook https://hooks.example.com)", set.Find("team")!.ToString()); // a notifier may be logged; its secret may not
        Assert.Equal("chat (slack https://hooks.slack.com)", set.Find("chat")!.ToString()); // nor a URL that is itself a credential
    }

    [Fact]
    public void Every_problem_is_reported_at_once_with_line_field_and_fix()
    {
        var set = Parse("""
            team:
              kind: webhok
              url: hooks.example.com/x
              secrt: abc
            chat:
              kind: slack
              url: https://hooks.slack.com/services/x
              secret: nope
            Bad Name:
              kind: webhook
              url: https://example.com
            phone:
              kind: ntfy
              url: ftp://ntfy.sh/x
              allow_private: maybe
            empty: just-text
            nokind:
              url: https://example.com
            """);
        var messages = set.Errors.Select(e => e.ToString()).ToList();
        Assert.Contains("""notifiers.yaml:2 team.kind: "webhok" is not one of webhook, slack, ntfy, alertmanager""", messages);
        Assert.Contains("""notifiers.yaml:3 team.url: "hooks.example.com/…" is not an absolute http:// or https:// URL without user:password@; write e.g. https://hooks.example.com/pulseboard""", messages);
        Assert.Contains("notifiers.yaml:4 team.secrt: unknown field for a notifier; did you mean secret? It takes kind, url, secret, allow_private", messages);
        Assert.Contains(messages, m => m.StartsWith("notifiers.yaml:8 chat.secret: signs webhook bodies only; remove it", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.StartsWith("notifiers.yaml:9 Bad Name: a notifier's name must be a slug", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.StartsWith("notifiers.yaml:14 phone.url: \"ftp://ntfy.sh/…\" is not an absolute http:// or https:// URL", StringComparison.Ordinal));
        Assert.Contains("""notifiers.yaml:15 phone.allow_private: "maybe" is not true or false""", messages);
        Assert.Contains("notifiers.yaml:16 empty: must be a mapping with kind: and url:", messages);
        Assert.Contains("notifiers.yaml:18 nokind.kind: is required: one of webhook, slack, ntfy, alertmanager", messages);
        Assert.Empty(set.Notifiers);
    }

    [Theory]
    [InlineData("ftp://user:hunter2@hooks.example.com/T0/B0/s3cr3t", "ftp://…@hooks.example.com/…")]
    [InlineData("hooks.example.com?token=s3cr3t", "hooks.example.com?…")]
    [InlineData("https://example.com/", "https://example.com/")]
    [InlineData("mailto:ops@example.com", "…@example.com")]
    public void A_url_in_an_error_keeps_no_secret(string url, string shown) => Assert.Equal(shown, NotifierSet.Shown(url));

    [Theory]
    [InlineData("", "notifiers.yaml: must be a mapping of notifier names to notifiers")]
    [InlineData("- a\n- b\n", "notifiers.yaml:1: must be a mapping of notifier names to notifiers")]
    [InlineData("team: {kind: webhook, url: [", "is not valid YAML")]
    public void A_file_that_is_not_a_mapping_is_one_clear_problem(string yaml, string expected)
    {
        var error = Assert.Single(Parse(yaml).Errors).ToString();
        Assert.StartsWith("notifiers.yaml", error, StringComparison.Ordinal);
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_file_is_a_problem_not_an_exception()
    {
        var error = Assert.Single(NotifierSet.Load("/nonexistent/notifiers.yaml").Errors);
        Assert.StartsWith("notifiers.yaml: cannot be read", error.ToString(), StringComparison.Ordinal);
    }
}
