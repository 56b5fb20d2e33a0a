using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;
using Pulseboard.Projection.Definitions;
using Pulseboard.Server;
using Pulseboard.Tests.Support;
using Xunit.Abstractions;

namespace Pulseboard.Tests.Reliability;

/// <summary>
/// A corpus and a seeded generator of bad bodies against a real server: every one answered 4xx with a message, never
/// a 5xx, the server alive after, nothing written outside its data folder. And a bounded fuzzing pass of the event
/// parser and the definitions loader that never throws.
/// </summary>
public sealed class HostileInputTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly TempDirectory _root = new();
    private TestServer _server = null!;
    private HttpClient _http = null!;

    private string Data => Path.Combine(_root.Path, "data");

    public async Task InitializeAsync()
    {
        _server = await TestServer.StartAsync(new ServerOptions
        {
            Urls = "http://127.0.0.1:0", DataDirectory = Data, DashboardsDirectory = Path.Combine(Repo.Root, "dashboards"),
            MaxBodyBytes = 256 * 1024, MaxEventsPerRequest = 1_000,
        });
        _http = _server.Http;
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _root.Dispose();
    }

    private static readonly string[] s_corpus =
    [
        "", " ", "{", "}", "[", "]", "[{]", "{\"dashboard\":", "{\"dashboard\":\"a\",\"section\":\"b\",\"action\":\"c\"",
        "null", "true", "42", "\"text\"", "[1,2,3]", "[[]]", "{}", "[{}]",
        "{\"dashboard\":1,\"section\":[],\"action\":{}}",
        "{\"dashboard\":\"a\",\"dashboard\":\"a\",\"section\":\"b\",\"action\":\"c\"}",
        "{\"dashboard\":\"a\",\"section\":\"b\",\"action\":\"c\",\"extra\":1}",
        "{\"dashboard\":\"../../etc/passwd\",\"section\":\"b\",\"action\":\"c\"}",
        "{\"dashboard\":\"/etc/passwd\",\"section\":\"b\",\"action\":\"c\"}",
        "{\"dashboard\":\"a\\u0000b\",\"section\":\"b\",\"action\":\"c\"}",
        "{\"dashboard\":\"CON\",\"section\":\"..\",\"action\":\"c\"}",
        "{\"dashboard\":\"a\",\"section\":\"b\",\"action\":\"c\",\"id\":\"../../../../tmp/pulseboard-escape\"}",
        "{\"dashboard\":\"a\",\"section\":\"b\",\"action\":\"c\",\"id\":\"/etc/passwd\"}",
        "{\"dashboard\":\"a\",\"section\":\"b\",\"action\":\"c\",\"id\":\"..\\\\..\\\\windows\\u0000.json\"}",
        "{\"dashboard\":\"a\",\"section\":\"b\",\"action\":\"../../x\",\"source\":\"../../../y\"}",
        "{\"dashboard\":\"a\",\"section\":\"b\",\"action\":\"c\",\"timestamp\":\"9999-99-99T99:99:99Z\"}",
        "{\"dashboard\":\"a\",\"section\":\"b\",\"action\":\"c\",\"priority\":\"\\u0000\"}",
        "{\"dashboard\":\"a\",\"section\":\"b\",\"action\":\"c\",\"id\":\"" + new string('x', 5000) + "\"}",
        "{\"dashboard\":\"a\",\"section\":\"b\",\"action\":\"c\",\"content\":" + new string('[', 500) + new string(']', 500) + "}",
        "{\"dashboard\":\"a\",\"section\":\"b\",\"action\":\"c\",\"content\":{\"k\":1,\"k\":2}}",
        "{\"dashboard\":\"a\",\"section\":\"b\",\"action\":\"c\",\"content\":\"" + new string('y', 200_000) + "\"}",
        "{\"dashboard\":\"a\",\"section\":\"b\",\"action\":\"c\",\"content\":1e999999}",
        "{\"dashboard\":\"a\",\"section\":\"b\",\"action\":\"c\"}garbage",
        "\uFEFF{\"dashboard\":\"a\",\"section\":\"b\",\"action\":\"c\",\"colour\":1}",
        "[" + string.Join(",", Enumerable.Repeat("{\"dashboard\":\"a\",\"section\":\"b\",\"action\":\"c d\"}", 1_001)) + "]",
    ];

    [Fact]
    public async Task Every_bad_body_gets_a_4xx_with_a_message_and_the_server_stays_up()
    {
        var bodies = s_corpus.Select(b => (Encoding.UTF8.GetBytes(b), "application/json")).ToList();
        bodies.Add(([0xC3, 0x28, 0x7B, 0x7D], "application/json"));                     // invalid UTF-8
        bodies.Add(([0xFF, 0xFE, 0x7B, 0x00, 0x7D, 0x00], "application/json"));         // UTF-16
        bodies.Add((Encoding.UTF8.GetBytes("{\"a\":1}\n\u0001\u0002\n"), "application/x-ndjson"));
        bodies.Add((Encoding.UTF8.GetBytes("{}"), "text/html"));
        bodies.Add((Encoding.UTF8.GetBytes("{}"), "application/json; charset=utf-16"));
        var random = new Random(6);
        var mutations = Scale.Pick(ci: 300, longRun: 5_000);
        for (var i = 0; i < mutations; i++)
        {
            bodies.Add((Mutate(random), random.Next(3) == 0 ? "application/x-ndjson" : "application/json"));
        }
        var statuses = new Dictionary<int, int>();
        foreach (var (body, type) in bodies)
        {
            var content = new ByteArrayContent(body);
            content.Headers.TryAddWithoutValidation("Content-Type", type);
            using var response = await _http.PostAsync("/api/events", content);
            var status = (int)response.StatusCode;
            statuses[status] = statuses.GetValueOrDefault(status) + 1;
            Assert.True(status < 500, $"{status} for {Encoding.UTF8.GetString(body[..Math.Min(body.Length, 120)])}");
            if (status >= 400)
            {
                var problem = await response.Content.ReadAsStringAsync();
                Assert.Contains("\"detail\"", problem, StringComparison.Ordinal);
            }
        }
        output.WriteLine($"{bodies.Count} bodies ({mutations} seeded mutations): " + string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{s.Value}× {s.Key}")));
        Assert.Equal(HttpStatusCode.OK, (await _http.GetAsync("/healthz")).StatusCode);
        // Nothing outside the data folder: the test's root holds only it.
        Assert.Equal(["data"], Directory.GetFileSystemEntries(_root.Path).Select(Path.GetFileName));
        Assert.False(File.Exists("/tmp/pulseboard-escape") || Directory.Exists("/tmp/pulseboard-escape"), "an id became a path");
    }

    [Fact]
    public void The_event_parser_and_the_definitions_loader_never_throw_on_random_input()
    {
        var random = new Random(66);
        var errors = new List<EventError>();
        var definitionErrors = new List<DefinitionError>();
        var inputs = Scale.Pick(ci: 3_000, longRun: 100_000);
        int refusedEvents = 0, refusedDefinitions = 0;
        for (var i = 0; i < inputs; i++)
        {
            var bytes = Mutate(random);
            errors.Clear();
            refusedEvents += EventJson.Parse(bytes, errors) is null ? 1 : 0; // a null answer with errors is fine; an exception is not
            definitionErrors.Clear();
            _ = DefinitionLoader.Parse("fuzz.yaml", "fuzz.yaml", MutateYaml(random), definitionErrors);
            refusedDefinitions += definitionErrors.Count > 0 ? 1 : 0;
        }
        output.WriteLine($"{inputs} mutated events ({refusedEvents} refused) and {inputs} mutated definitions ({refusedDefinitions} with errors), no exception");
    }

    private static readonly string s_valid = """{"dashboard":"costs","section":"alerts","action":"budget_warning","priority":"high","timestamp":"2026-11-22T12:00:00Z","source":"a","id":"x","content":{"current":1,"list":[1,"two",null,true],"nested":{"deep":"<script>"}}}""";
    private static readonly string s_validYaml = File.ReadAllText(Path.Combine(Repo.Root, "dashboards", "costs.yaml"));

    /// <summary>A valid event with random bytes flipped, cut, duplicated or spliced.</summary>
    private static byte[] Mutate(Random random)
    {
        var bytes = Encoding.UTF8.GetBytes(s_valid).ToList();
        for (var edits = random.Next(1, 6); edits > 0 && bytes.Count > 0; edits--)
        {
            var at = random.Next(bytes.Count);
            switch (random.Next(5))
            {
                case 0: bytes[at] = (byte)random.Next(256); break;
                case 1: bytes.RemoveRange(at, Math.Min(bytes.Count - at, random.Next(1, 20))); break;
                case 2: bytes.InsertRange(at, bytes.GetRange(at, Math.Min(bytes.Count - at, random.Next(1, 40)))); break;
                case 3: bytes.Insert(at, (byte)"{}[]\",:\\"[random.Next(8)]); break;
                default: bytes.RemoveRange(at, bytes.Count - at); break;
            }
        }
        return [.. bytes];
    }

    private const string s_yamlChars = ":-[]{}#&*!|>'\"%@` \n\t";

    private static byte[] MutateYaml(Random random)
    {
        var text = s_validYaml.ToCharArray().ToList();
        for (var edits = random.Next(1, 8); edits > 0 && text.Count > 0; edits--)
        {
            var at = random.Next(text.Count);
            switch (random.Next(4))
            {
                case 0: text[at] = s_yamlChars[random.Next(s_yamlChars.Length)]; break;
                case 1: text.RemoveRange(at, Math.Min(text.Count - at, random.Next(1, 30))); break;
                case 2: text.InsertRange(at, text.GetRange(at, Math.Min(text.Count - at, random.Next(1, 60)))); break;
                default: text.Insert(at, '\t'); break;
            }
        }
        return Encoding.UTF8.GetBytes([.. text]);
    }
}
