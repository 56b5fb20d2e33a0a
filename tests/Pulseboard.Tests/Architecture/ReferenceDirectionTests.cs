using NetArchTest.Rules;
using Pulseboard.Log;
using Pulseboard.Projection;
using Pulseboard.Server;

namespace Pulseboard.Tests.Architecture;

/// <summary>
/// References point one way, downstream along the data path (STYLE.md, "Folders follow the data"): the event and the
/// SDK, then the log, then the projector and its caches, then the server. A type that reaches back upstream fails here
/// with its name, before it becomes a cycle the next change has to untangle.
/// </summary>
public sealed class ReferenceDirectionTests
{
    private static readonly System.Reflection.Assembly s_sdk = typeof(Event).Assembly;
    private static readonly System.Reflection.Assembly s_log = typeof(FileEventLog).Assembly;
    private static readonly System.Reflection.Assembly s_projection = typeof(Projector).Assembly;
    private static readonly System.Reflection.Assembly s_server = typeof(PulseboardServer).Assembly;

    /// <summary>
    /// The log proper: its reader, its writer and its records. <c>Pulseboard.Log.Storage</c> is not in it: the disk seam
    /// (folder locks, atomic writes, directory syncs) is the one home of file plumbing, below everything that writes.
    /// </summary>
    private static readonly string[] s_logItself =
        ["Pulseboard.Log.IEventLog", "Pulseboard.Log.FileEventLog", "Pulseboard.Log.LogRecord", "Pulseboard.Log.LogCursor"];

    private static void Holds(ConditionList rule, string what)
    {
        var result = rule.GetResult();
        Assert.True(result.IsSuccessful, $"{what}: {string.Join(", ", result.FailingTypeNames ?? [])}");
    }

    [Fact]
    public void The_sdk_depends_on_nothing_but_the_base_library()
    {
        Holds(Types.InAssembly(s_sdk).ShouldNot().HaveDependencyOnAny(
            "Pulseboard.Log", "Pulseboard.Projection", "Pulseboard.Server", "Microsoft.AspNetCore", "Microsoft.Extensions", "YamlDotNet"),
            "the SDK (what an agent references) reaches past the base library");
    }

    [Fact]
    public void The_log_knows_no_projection_and_no_server()
    {
        Holds(Types.InAssembly(s_log).ShouldNot().HaveDependencyOnAny("Pulseboard.Projection", "Pulseboard.Server", "Microsoft.AspNetCore", "YamlDotNet"),
            "the log reaches downstream");
    }

    [Fact]
    public void The_projection_knows_no_server_and_its_caches_need_no_log()
    {
        Holds(Types.InAssembly(s_projection).ShouldNot().HaveDependencyOnAny("Pulseboard.Server", "Microsoft.AspNetCore"), "the projection reaches the server");
        Holds(Types.InAssembly(s_projection).That().ResideInNamespace("Pulseboard.Projection.Caches").ShouldNot().HaveDependencyOnAny(s_logItself),
            "a cache reader needs the log");
        Holds(Types.InAssembly(s_projection).That().ResideInNamespace("Pulseboard.Projection.Definitions").ShouldNot().HaveDependencyOn("Pulseboard.Log"),
            "the definitions (compiled once from YAML) need the log");
    }

    [Fact]
    public void Serving_a_cache_needs_no_ingest_and_no_log_writer()
    {
        Holds(Types.InAssembly(s_server).That().ResideInNamespace("Pulseboard.Server.Serving").ShouldNot().HaveDependencyOnAny("Pulseboard.Server.Ingest", "Pulseboard.Server.Demo"),
            "serving caches reaches back into ingest");
        Holds(Types.InAssembly(s_server).That().ResideInNamespace("Pulseboard.Server.Export").ShouldNot().HaveDependencyOnAny(["Pulseboard.Server.Ingest", .. s_logItself]),
            "the static export needs more than the caches");
    }
}
