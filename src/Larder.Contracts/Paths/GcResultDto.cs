namespace Larder.Contracts.Paths;

/// <summary>The answer of <c>POST /api/v1/caches/{name}/gc</c>: what the collection evicted (or would, on a dry run).</summary>
/// <param name="DryRun">Nothing was deleted.</param>
/// <param name="PathsEvicted">How many paths were evicted.</param>
/// <param name="BytesFreed">Their stored bytes (the blobs go once no cache holds them, after the reaper's grace period).</param>
/// <param name="StoredBytesBefore">The cache's stored bytes before the collection.</param>
/// <param name="Evicted">The first <see cref="GcListLimit"/> evicted paths, least recently used first.</param>
/// <param name="GcListLimit">How many evicted paths the answer lists at most.</param>
public sealed record GcResultDto(
    bool DryRun, long PathsEvicted, long BytesFreed, long StoredBytesBefore, IReadOnlyList<EvictedPathDto> Evicted, int GcListLimit);

/// <summary>One evicted path with the event reason recorded for it (<c>evicted: retention 30 days</c>, <c>evicted: max-size</c>).</summary>
public sealed record EvictedPathDto(string StorePath, long StoredBytes, DateTimeOffset LastAccessedAt, string Reason);
