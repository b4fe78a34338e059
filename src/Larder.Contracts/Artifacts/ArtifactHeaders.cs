namespace Larder.Contracts.Artifacts;

/// <summary>
/// HTTP headers of the artifact endpoints. <c>PUT …/artifacts/{key}</c> carries the archive (a tar, plain or with
/// <c>Content-Encoding: zstd</c>) and its <see cref="Sha256"/>; <c>GET …/artifacts/{key}?fallback=K2&amp;fallback=K3</c>
/// answers with the archive as a zstd stream (<c>Content-Encoding: zstd</c>) and <see cref="Key"/>,
/// <see cref="Sha256"/>, <see cref="Size"/>; a 404 whose error code is <see cref="MissingCode"/> means no key has an
/// archive (any other 404 is a missing cache).
/// </summary>
public static class ArtifactHeaders
{
    /// <summary>The key whose archive was served (the requested key or one of its fallbacks).</summary>
    public const string Key = "X-Larder-Artifact-Key";

    /// <summary>Lower-case hex SHA-256 of the uncompressed archive.</summary>
    public const string Sha256 = "X-Larder-Artifact-Sha256";

    /// <summary>Size of the uncompressed archive in bytes.</summary>
    public const string Size = "X-Larder-Artifact-Size";

    /// <summary>The <c>code</c> of the 404 error body when none of the keys tried holds an archive.</summary>
    public const string MissingCode = "artifactMissing";
}
