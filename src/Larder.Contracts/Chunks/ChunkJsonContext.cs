using System.Text.Json;
using System.Text.Json.Serialization;
using Larder.Contracts.Push;

namespace Larder.Contracts.Chunks;

/// <summary>Source-generated JSON metadata for the chunk-push DTOs (same conventions as <see cref="PushJsonContext"/>).</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ChunkingParameters))]
[JsonSerializable(typeof(MissingChunksRequest))]
[JsonSerializable(typeof(MissingChunksResponse))]
[JsonSerializable(typeof(ChunkUploadResult))]
[JsonSerializable(typeof(PackUploadResult))]
[JsonSerializable(typeof(ChunkedPathRequest))]
[JsonSerializable(typeof(PushResult))]
public sealed partial class ChunkJsonContext : JsonSerializerContext;
