using Microsoft.Playwright;

namespace Pulseboard.Tests.Pages;

/// <summary>
/// Charts read from their pixels: a test that a canvas exists passed while every line chart was empty. The chart's
/// colour (--chart) is counted in the canvas; bars are measured column by column.
/// </summary>
[Collection(BrowserGroup.Name)]
public sealed class ChartTests(BrowserFixture browser) : IAsyncLifetime
{
    /// <summary>
    /// What the chart in a section drew in its own colour: how many opaque pixels, their leftmost and rightmost column
    /// as a share of the canvas width, and the height of each bar (runs of coloured columns), left to right.
    /// </summary>
    private const string Drawn = """
        async selector => {
          const deadline = performance.now() + 10000;
          const canvas = () => document.querySelector(`${selector} .chart canvas`);
          while (!canvas() && performance.now() < deadline) await new Promise(r => setTimeout(r, 20));
          const holder = document.querySelector(`${selector} .chart`);
          await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
          if (!canvas()) return null;
          const { width, height } = canvas();
          const [r, g, b] = getComputedStyle(document.documentElement).getPropertyValue('--chart').trim().match(/[0-9a-f]{2}/gi).map(h => parseInt(h, 16));
          const pixels = canvas().getContext('2d').getImageData(0, 0, width, height).data;
          let count = 0, left = width, right = -1;
          const columns = new Array(width).fill(0);
          for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) {
            const i = (y * width + x) * 4;
            if (pixels[i + 3] > 150 && Math.abs(pixels[i] - r) < 40 && Math.abs(pixels[i + 1] - g) < 40 && Math.abs(pixels[i + 2] - b) < 40) {
              count++; columns[x]++; left = Math.min(left, x); right = Math.max(right, x);
            }
          }
          const bars = []; // a grid line drawn across a bar leaves a gap of a few columns: still one bar
          for (let x = 0, last = -10; x < width; x++) {
            if (!columns[x]) continue;
            if (x - last > 4) bars.push(0);
            bars[bars.length - 1] = Math.max(bars[bars.length - 1], columns[x]);
            last = x;
          }
          return { count, left: left / width, right: right / width, bars, label: holder.getAttribute('aria-label'), readout: holder.parentElement.querySelector('.readout').textContent };
        }
        """;

    private PageHarness _harness = null!;

    public async Task InitializeAsync() => _harness = await PageHarness.StartAsync(browser.Browser);

    public async Task DisposeAsync() => await _harness.DisposeAsync();

    private sealed class Drawing
    {
        public int Count { get; set; }

        public double Left { get; set; }

        public double Right { get; set; }

        public int[] Bars { get; set; } = [];

        public string Label { get; set; } = "";

        public string Readout { get; set; } = "";
    }

    private static async Task<Drawing> DrawnAsync(IPage page, string section)
    {
        var drawing = await page.EvaluateAsync<Drawing?>(Drawn, $"[data-section={section}]");
        Assert.True(drawing is not null, $"{section}: no canvas within 10 s");
        return drawing;
    }

    [Fact]
    public async Task Every_chart_of_the_costs_page_draws_its_line_and_its_bars()
    {
        await _harness.FillCostsAsync();
        var page = await _harness.OpenAsync("/d/costs");
        var line = await DrawnAsync(page, "spend");
        Assert.True(line.Count > 200, $"the spend line drew {line.Count} pixels");
        // Seven days of hourly buckets; the twelve hours of spend sit at the right end of the window.
        Assert.True(line.Left > 0.8 && line.Right > 0.95, $"the line spans {line.Left:P0} to {line.Right:P0} of the canvas");
        Assert.Contains("latest", line.Readout, StringComparison.Ordinal);
        Assert.Contains("Spend per hour (USD)", line.Label, StringComparison.Ordinal);
        var bars = await DrawnAsync(page, "spend-per-day");
        Assert.NotEmpty(bars.Bars);
        Assert.True(bars.Count > 100, $"the daily bars drew {bars.Count} pixels");
        Assert.Empty(_harness.ConsoleErrors);
    }

    [Fact]
    public async Task One_point_and_two_points_are_drawn_at_the_end_of_their_window()
    {
        await _harness.PostAsync($$$"""
            [{"dashboard":"lab","section":"one","action":"m","content":{"v":3}},
             {"dashboard":"lab","section":"two","action":"m","timestamp":"{{{PageHarness.Stamp(TimeSpan.FromHours(1))}}}","content":{"v":3}},
             {"dashboard":"lab","section":"two","action":"m","content":{"v":5}}]
            """);
        var page = await _harness.OpenAsync("/d/lab");
        var one = await DrawnAsync(page, "one");
        Assert.True(one.Count > 10, $"one point drew {one.Count} pixels");
        Assert.True(one.Left > 0.85, $"one point of a 24 h window starts at {one.Left:P0} of the canvas, not at its end");
        var two = await DrawnAsync(page, "two");
        Assert.True(two.Count > one.Count, $"two points and their line drew {two.Count} pixels, one point {one.Count}");
        Assert.True(two.Left > 0.8 && two.Right - two.Left > 0.02, $"two points an hour apart span {two.Left:P0} to {two.Right:P0}");
        Assert.StartsWith("5", two.Readout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bars_start_at_zero()
    {
        await _harness.PostAsync($$$"""
            [{"dashboard":"lab","section":"days","action":"m","timestamp":"{{{PageHarness.Stamp(TimeSpan.FromDays(1))}}}","content":{"v":5}},
             {"dashboard":"lab","section":"days","action":"m","content":{"v":7}}]
            """);
        var page = await _harness.OpenAsync("/d/lab");
        var days = await DrawnAsync(page, "days");
        Assert.True(days.Bars.Length == 2, $"bars of {string.Join(", ", days.Bars)} px");
        var ratio = (double)days.Bars[0] / days.Bars[1];
        Assert.True(Math.Abs(ratio - (5.0 / 7.0)) < 0.05, $"a 5 beside a 7 is {days.Bars[0]} px beside {days.Bars[1]} px ({ratio:F2}, not 0.71)");
    }

    [Fact]
    public async Task Dark_mode_draws_axes_in_a_light_colour()
    {
        await _harness.FillCostsAsync();
        var page = await _harness.OpenAsync("/d/costs", dark: true);
        await DrawnAsync(page, "spend");
        // The axis labels are canvas text: sample the y axis strip for its brightest pixel, which must be light on dark.
        var brightest = await page.EvaluateAsync<int>("""
            () => {
              const canvas = document.querySelector('[data-section=spend] canvas');
              const data = canvas.getContext('2d').getImageData(0, 0, Math.floor(canvas.width * 0.06), canvas.height).data;
              let best = 0;
              for (let i = 0; i < data.length; i += 4) if (data[i + 3] > 200) best = Math.max(best, (data[i] + data[i + 1] + data[i + 2]) / 3);
              return Math.round(best);
            }
            """);
        Assert.True(brightest > 120, $"the y axis's brightest pixel is {brightest}/255: labels drawn dark on a dark card");
    }
}
