using System.Text.Json;
using System.Text.Json.Serialization;
using Larder.Contracts.Caches;
using Larder.Contracts.Tokens;

namespace Larder.Contracts;

/// <summary>
/// Source-generated System.Text.Json metadata for every <c>/api/v1</c> DTO: camelCase properties, nulls omitted.
/// Use <c>LarderJsonContext.Default.CacheDto</c> etc. on both sides of the wire.
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(CacheDto))]
[JsonSerializable(typeof(IReadOnlyList<CacheDto>))]
[JsonSerializable(typeof(CreateCacheRequest))]
[JsonSerializable(typeof(UpdateCacheRequest))]
[JsonSerializable(typeof(SigningKeyRequest))]
[JsonSerializable(typeof(SigningKeyDto))]
[JsonSerializable(typeof(IReadOnlyList<EventDto>))]
[JsonSerializable(typeof(TokenDto))]
[JsonSerializable(typeof(IReadOnlyList<TokenDto>))]
[JsonSerializable(typeof(CreateTokenRequest))]
[JsonSerializable(typeof(CreatedTokenDto))]
[JsonSerializable(typeof(WhoAmIDto))]
[JsonSerializable(typeof(ErrorDto))]
public sealed partial class LarderJsonContext : JsonSerializerContext;
