using System.Text.Json;
using System.Text.Json.Serialization;

namespace Larder.Contracts.Push;

/// <summary>Source-generated JSON metadata for the push DTOs (same conventions as <see cref="LarderJsonContext"/>).</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(PushPathMetadata))]
[JsonSerializable(typeof(MissingPathsRequest))]
[JsonSerializable(typeof(MissingPathsResponse))]
[JsonSerializable(typeof(PushResult))]
[JsonSerializable(typeof(CreateUploadRequest))]
[JsonSerializable(typeof(UploadSessionInfo))]
public sealed partial class PushJsonContext : JsonSerializerContext;
