namespace Larder.Contracts.Caches;

/// <summary>A cache as <c>GET /api/v1/caches/{name}</c> returns it.</summary>
/// <param name="Name">The cache name, also its URL segment.</param>
/// <param name="Public">Whether anyone may read (substitute from) the cache without a token.</param>
/// <param name="Priority">Nix substituter priority advertised in <c>nix-cache-info</c> (lower is preferred).</param>
/// <param name="StoreDir">The Nix store directory the cache serves, e.g. <c>/nix/store</c>.</param>
/// <param name="PublicKey">The line for <c>trusted-public-keys</c>: <c>keyname:base64</c>.</param>
/// <param name="UpstreamKeyNames">Key names whose signed paths are skipped on push (they live upstream).</param>
/// <param name="SubstituterUrl">The URL to put in <c>substituters</c>.</param>
/// <param name="Stats">Size figures.</param>
/// <param name="CreatedAt">When the cache was created.</param>
/// <param name="Retention">The retention policy garbage collection applies.</param>
/// <param name="UpstreamUrls">Read-through upstream caches, asked in this order on a narinfo miss (none: read-through off).</param>
/// <param name="UpstreamKeys">Public keys (<c>name:base64</c>) an upstream narinfo must be signed by to be served.</param>
/// <param name="UpstreamMode"><c>store</c> (paths found upstream are stored while streamed) or <c>proxy</c> (nothing stored).</param>
public sealed record CacheDto(
    string Name,
    bool Public,
    int Priority,
    string StoreDir,
    string PublicKey,
    IReadOnlyList<string> UpstreamKeyNames,
    string SubstituterUrl,
    CacheStatsDto Stats,
    DateTimeOffset CreatedAt,
    RetentionDto? Retention = null,
    IReadOnlyList<string>? UpstreamUrls = null,
    IReadOnlyList<string>? UpstreamKeys = null,
    string? UpstreamMode = null);

/// <summary>Size figures of one cache.</summary>
/// <param name="Paths">Number of store paths.</param>
/// <param name="NarBytes">Sum of uncompressed NAR sizes.</param>
/// <param name="StoredBytes">Sum of stored (compressed) sizes.</param>
public sealed record CacheStatsDto(long Paths, long NarBytes, long StoredBytes);
