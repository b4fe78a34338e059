namespace Larder.Contracts.Caches;

/// <summary>The answer to a signing-key change: the new public key (never the secret) and how many paths were re-signed.</summary>
public sealed record SigningKeyDto(string PublicKey, long ResignedPaths);
