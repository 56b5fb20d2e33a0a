namespace Pulseboard.Server.Alerts;

/// <summary>How a notifier wants its notices: the body and the address differ, the delivery does not.</summary>
internal enum NotifierKind
{
    /// <summary>A JSON body of the notice, signed with HMAC-SHA256 when the notifier has a secret.</summary>
    Webhook,

    /// <summary>A Slack incoming-webhook message: <c>{text, blocks}</c>.</summary>
    Slack,

    /// <summary>A POST to an ntfy topic URL: Title, Priority and Tags headers, the summary as the body.</summary>
    Ntfy,

    /// <summary>Prometheus Alertmanager's <c>POST {url}/api/v2/alerts</c>.</summary>
    Alertmanager,
}

/// <summary>One entry of notifiers.yaml: where notices go and how.</summary>
/// <param name="Name">The key in notifiers.yaml, as alerts name it in <c>notify:</c>.</param>
/// <param name="Kind">The body and address shape.</param>
/// <param name="Url">An absolute http or https URL.</param>
/// <param name="Secret">Signs webhook bodies (<c>X-Pulseboard-Signature: sha256=&lt;hex&gt;</c>); null for none.</param>
/// <param name="AllowPrivate">Lets the URL reach loopback, private and link-local addresses (the SSRF guard's exception).</param>
internal sealed record Notifier(string Name, NotifierKind Kind, Uri Url, string? Secret, bool AllowPrivate)
{
    /// <summary>The kind as notifiers.yaml spells it.</summary>
    public string KindName => Kind.ToString().ToLowerInvariant();

    /// <summary>
    /// Hides the secret and the URL's path and query: a notifier may be logged, and Slack's and ntfy's URLs are
    /// themselves credentials.
    /// </summary>
    public override string ToString() => $"{Name} ({KindName} {Url.GetLeftPart(UriPartial.Authority)})";
}
