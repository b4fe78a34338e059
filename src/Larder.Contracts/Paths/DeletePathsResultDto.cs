namespace Larder.Contracts.Paths;

/// <summary>
/// The answer of <c>DELETE /api/v1/caches/{name}/paths/{hash}</c>: the store paths deleted (or, on a dry run, that would
/// be), the path itself last, and the stored bytes they held.
/// </summary>
public sealed record DeletePathsResultDto(bool DryRun, IReadOnlyList<string> Deleted, long StoredBytes);
