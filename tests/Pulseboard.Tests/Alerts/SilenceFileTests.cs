using Pulseboard.Server;
using Pulseboard.Tests.Support;

namespace Pulseboard.Tests.Alerts;

/// <summary>A damaged silences file does not stop the server and is kept, not overwritten; an oversized silence is refused before it is read whole.</summary>
public sealed class SilenceFileTests
{
    [Fact]
    public async Task A_damaged_silences_file_is_moved_aside_and_the_server_starts_with_none()
    {
        using var data = new TempDirectory();
        var folder = Directory.CreateDirectory(Path.Combine(data.Path, "alerts")).FullName;
        var damaged = """[{"Id":"s1","Alert":"x","Dashb""";
        await File.WriteAllTextAsync(Path.Combine(folder, "silences.json"), damaged);

        await using var server = await TestServer.StartAsync(new ServerOptions
        {
            Urls = "http://127.0.0.1:0",
            DataDirectory = data.Path,
            DashboardsDirectory = Path.Combine(Repo.Root, "dashboards"),
        });

        Assert.Equal("[]", (await server.Http.GetStringAsync("/api/silences")).Trim());
        var aside = Assert.Single(Directory.GetFiles(folder, "silences.json.damaged-*"));
        Assert.Equal(damaged, await File.ReadAllTextAsync(aside));
        Assert.False(File.Exists(Path.Combine(folder, "silences.json")));
    }

    [Fact]
    public async Task A_silence_body_over_64_KiB_is_refused_with_413_and_says_why()
    {
        using var data = new TempDirectory();
        await using var server = await TestServer.StartAsync(new ServerOptions
        {
            Urls = "http://127.0.0.1:0",
            DataDirectory = data.Path,
            DashboardsDirectory = Path.Combine(Repo.Root, "dashboards"),
        });
        var comment = new string('x', 70 * 1024);
        using var response = await server.Http.PostAsync("/api/silences", new StringContent(
            $$"""{"dashboard":"fleet","duration":"1h","comment":"{{comment}}"}""", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(System.Net.HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Contains("a silence is a small JSON object", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal("[]", (await server.Http.GetStringAsync("/api/silences")).Trim());
    }
}
