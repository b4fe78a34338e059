using System.Text.Json;
using System.Text.Json.Serialization;

namespace Larder.Contracts.Oidc;

/// <summary>Source-generated JSON metadata for the OIDC and token-event DTOs (same conventions as <see cref="LarderJsonContext"/>).</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(OidcPolicyDto))]
[JsonSerializable(typeof(IReadOnlyList<OidcPolicyDto>))]
[JsonSerializable(typeof(CreateOidcPolicyRequest))]
[JsonSerializable(typeof(OidcTokenRequest))]
[JsonSerializable(typeof(OidcTokenDto))]
[JsonSerializable(typeof(IReadOnlyList<TokenEventDto>))]
public sealed partial class OidcJsonContext : JsonSerializerContext;
