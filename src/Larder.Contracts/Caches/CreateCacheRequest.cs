namespace Larder.Contracts.Caches;

/// <summary>Body of <c>POST /api/v1/caches</c>. Omitted settings take their defaults.</summary>
/// <param name="Name">Lower-case letters, digits, '.', '_' and '-', starting with a letter or digit, at most 64 characters.</param>
/// <param name="Public">Readable without a token (default false).</param>
/// <param name="Priority">Substituter priority (default 40).</param>
/// <param name="StoreDir">Store directory (default <c>/nix/store</c>).</param>
/// <param name="UpstreamKeyNames">Upstream key names (default none).</param>
/// <param name="UpstreamUrls">Read-through upstream cache URLs in priority order (default none).</param>
/// <param name="UpstreamKeys">Public keys (<c>name:base64</c>) that verify upstream narinfos; their names count as upstream key names too.</param>
/// <param name="UpstreamMode"><c>store</c> (default) or <c>proxy</c>.</param>
public sealed record CreateCacheRequest(
    string? Name,
    bool? Public = null,
    int? Priority = null,
    string? StoreDir = null,
    IReadOnlyList<string>? UpstreamKeyNames = null,
    IReadOnlyList<string>? UpstreamUrls = null,
    IReadOnlyList<string>? UpstreamKeys = null,
    string? UpstreamMode = null);
