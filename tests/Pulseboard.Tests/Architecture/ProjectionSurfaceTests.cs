using Pulseboard.Projection;

namespace Pulseboard.Tests.Architecture;

/// <summary>
/// Internal by default (STYLE.md, "The API"): the projection publishes what embedding the projector takes, and nothing
/// else; the server, the CLI, the tests and the benchmarks see the rest through InternalsVisibleTo.
/// </summary>
public sealed class ProjectionSurfaceTests
{
    [Fact]
    public void The_projection_publishes_the_projector_its_options_and_its_cycle_result_only()
    {
        var exported = typeof(Projector).Assembly.GetExportedTypes().Select(t => t.FullName!).Order(StringComparer.Ordinal);
        Assert.Equal(["Pulseboard.Projection.CycleResult", "Pulseboard.Projection.Projector", "Pulseboard.Projection.ProjectorOptions"], exported);
    }
}
