using System.Text.Json;
using System.Text.Json.Serialization;

namespace Larder.Contracts.Artifacts;

/// <summary>Source-generated JSON metadata for the artifact DTOs (camelCase, nulls omitted).</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ArtifactDto))]
[JsonSerializable(typeof(ArtifactListDto))]
[JsonSerializable(typeof(ArtifactRetentionDto))]
public sealed partial class ArtifactJsonContext : JsonSerializerContext;
