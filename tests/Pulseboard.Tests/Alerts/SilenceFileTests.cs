using Pulseboard.Server;
using Pulseboard.Tests.Support;

namespace Pulseboard.Tests.Alerts;

/// <summary>A damaged silences file does not stop the server, and is kept, not overwritten.</summary>
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
}
