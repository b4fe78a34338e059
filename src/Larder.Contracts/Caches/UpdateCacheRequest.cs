namespace Larder.Contracts.Caches;

/// <summary>Body of <c>PATCH /api/v1/caches/{name}</c>: only the settings present are changed.</summary>
public sealed record UpdateCacheRequest(
    bool? Public = null,
    int? Priority = null,
    IReadOnlyList<string>? UpstreamKeyNames = null);
