using System.Text.Json.Serialization;
using Pulseboard.Server.Ingest;
using Pulseboard.Server.Hosting;
using Pulseboard.Server.Serving;

namespace Pulseboard.Server;

/// <summary>The server's source-generated JSON: no reflection on the request path.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(IngestResponse))]
[JsonSerializable(typeof(List<RejectedEvent>))]
[JsonSerializable(typeof(List<int>))]
[JsonSerializable(typeof(IReadOnlyList<DashboardSummary>))]
[JsonSerializable(typeof(HealthResponse))]
[JsonSerializable(typeof(ServerInfo))]
internal sealed partial class ServerJsonContext : JsonSerializerContext;
