using System.IO.Compression;
using System.Net;
using System.Text;

namespace Pulseboard.Server.Serving;

/// <summary>
/// The page a reader gets for <c>/d/{id}</c> when there is no such dashboard: it says so, with the id HTML-encoded (it
/// came from the address bar, so anyone can make a link put anything there), and links to the list of dashboards.
/// </summary>
internal static class NotFoundPage
{
    private const int MaxShown = 100;

    /// <summary>The page for <paramref name="id"/>, styled by the renderer's hashed style sheet.</summary>
    public static EncodedBody For(string id, RendererAssets assets)
    {
        var shown = WebUtility.HtmlEncode(id.Length > MaxShown ? id[..MaxShown] + "…" : id);
        var html = $"""
            <!doctype html>
            <html lang="en">
            <head>
              <meta charset="utf-8">
              <meta name="viewport" content="width=device-width, initial-scale=1">
              <title>No such dashboard · Pulseboard</title>
              <link rel="icon" href="data:,">
              <link rel="stylesheet" href="{assets.Prefix}style.css">
            </head>
            <body>
              <header class="top"><a class="home" href="/">Pulseboard</a><h1 id="title">No such dashboard</h1></header>
              <main class="not-found">
                <p>There is no dashboard with the id “<code>{shown}</code>”.</p>
                <p><a href="/">See all dashboards</a></p>
              </main>
            </body>
            </html>

            """;
        return EncodedBody.Create(Encoding.UTF8.GetBytes(html), CompressionLevel.Fastest);
    }
}
