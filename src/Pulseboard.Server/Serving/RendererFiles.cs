namespace Pulseboard.Server.Serving;

/// <summary>
/// The renderer's files and the policy its pages run under: the one list the server (<see cref="PageEndpoints"/>) and
/// the static export (<c>StaticSite</c>) both serve from, so a new asset or a policy change is made once.
/// </summary>
internal static class RendererFiles
{
    /// <summary>No inline script, nothing from elsewhere: the pages run only the renderer's own files.</summary>
    public const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    /// <summary>
    /// The assets, by their path under <c>assets/</c> (the same path under the renderer's folder), with their types. The
    /// two scripts are bundles of the renderer's modules (built by esbuild, see Pulseboard.Server.csproj).
    /// </summary>
    public static IReadOnlyList<(string Name, string Type)> Assets { get; } =
    [
        ("style.css", "text/css; charset=utf-8"),
        ("index.js", "text/javascript; charset=utf-8"),
        ("dashboard.js", "text/javascript; charset=utf-8"),
        ("uplot/uPlot.iife.min.js", "text/javascript; charset=utf-8"),
        ("uplot/uPlot.min.css", "text/css; charset=utf-8"),
    ];

    /// <summary>The pages: the list of dashboards, and the one generic dashboard page.</summary>
    public const string IndexPage = "index.html";

    /// <inheritdoc cref="IndexPage"/>
    public const string DashboardPage = "dashboard.html";
}
