using Microsoft.Playwright;

namespace Pulseboard.Benchmarks;

/// <summary>Debian's Chromium (/usr/bin/chromium) under Playwright, headless, with nothing of its own on the network.</summary>
internal static class DebianChromium
{
    public static async Task<(IPlaywright Playwright, IBrowser Browser)> LaunchAsync()
    {
        var playwright = await Playwright.CreateAsync().ConfigureAwait(false);
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        }).ConfigureAwait(false);
        return (playwright, browser);
    }
}
