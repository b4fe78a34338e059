namespace Larder.Contracts.Caches;

/// <summary>
/// <c>PUT /api/v1/caches/{name}/signing-key</c>: either <see cref="SecretKey"/> (<c>name:base64</c>, as written by
/// <c>nix-store --generate-binary-cache-key</c> or <c>larder key generate</c>) or <see cref="Generate"/> = true.
/// </summary>
public sealed record SigningKeyRequest(string? SecretKey = null, bool? Generate = null);
