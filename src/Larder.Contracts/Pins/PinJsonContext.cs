using System.Text.Json;
using System.Text.Json.Serialization;

namespace Larder.Contracts.Pins;

/// <summary>Source-generated JSON metadata for the pin DTOs (same conventions as <see cref="LarderJsonContext"/>).</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(PinDto))]
[JsonSerializable(typeof(IReadOnlyList<PinDto>))]
[JsonSerializable(typeof(PinHistoryDto))]
[JsonSerializable(typeof(SetPinRequest))]
public sealed partial class PinJsonContext : JsonSerializerContext;
