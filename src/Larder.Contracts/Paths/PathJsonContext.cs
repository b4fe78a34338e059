using System.Text.Json;
using System.Text.Json.Serialization;

namespace Larder.Contracts.Paths;

/// <summary>Source-generated JSON metadata for the path and garbage-collection DTOs (same conventions as <see cref="LarderJsonContext"/>).</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(PathInfoDto))]
[JsonSerializable(typeof(DeletePathsResultDto))]
[JsonSerializable(typeof(GcResultDto))]
public sealed partial class PathJsonContext : JsonSerializerContext;
