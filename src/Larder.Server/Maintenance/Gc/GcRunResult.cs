using Larder.Server.Metadata;

namespace Larder.Server.Maintenance.Gc;

/// <summary>What one garbage collection of a cache evicted (or would have, on a dry run).</summary>
/// <param name="Listed">The first evicted paths with their reasons, least recently used first (at most <see cref="GarbageCollector.ListLimit"/>).</param>
public sealed record GcRunResult(bool DryRun, long PathsEvicted, long BytesFreed, long StoredBytesBefore, IReadOnlyList<(RetainedPath Path, string Reason)> Listed);
