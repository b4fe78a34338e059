using System.Text.Json;
using System.Text.Json.Serialization;

namespace Larder.Contracts.Explain;

/// <summary>Source-generated JSON metadata for the path status DTOs (same conventions as <see cref="LarderJsonContext"/>).</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(PathStatusRequest))]
[JsonSerializable(typeof(PathStatusesDto))]
public sealed partial class ExplainJsonContext : JsonSerializerContext;
