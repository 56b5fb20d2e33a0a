using System.Text.Json.Serialization;

namespace Pulseboard.Server.Alerts;

/// <summary>The alerts' source-generated JSON: their API answers and their files under <c>&lt;data&gt;/alerts/</c>.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(AlertStateFile))]
[JsonSerializable(typeof(List<Silence>))]
[JsonSerializable(typeof(Silence))]
[JsonSerializable(typeof(IReadOnlyList<AlertView>))]
internal sealed partial class AlertJsonContext : JsonSerializerContext;
