using System.Text.Json.Serialization;

namespace Larder.Server.Health;

/// <summary>
/// The JSON body of the health endpoints: <c>{"status":"ok","database":"ok","storage":"ok"}</c>; a failed check
/// carries its reason instead of "ok" and makes the status "unavailable".
/// </summary>
public sealed record HealthReport(string Status, string? Database, string? Storage)
{
    /// <summary>The report of a readiness probe whose checks answered <paramref name="database"/> and <paramref name="storage"/>.</summary>
    public static HealthReport Of(string database, string storage) =>
        new(database == "ok" && storage == "ok" ? "ok" : "unavailable", database, storage);
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(HealthReport))]
internal sealed partial class HealthJsonContext : JsonSerializerContext;
