using Larder.Server.Metadata;

namespace Larder.Server.Storage.Chunks;

/// <summary>What <see cref="ChunkStore.StorePackAsync"/> registered for a pack.</summary>
/// <param name="Chunks">Each chunk's record, in the pack's order: the pack's own, or that of the same chunk stored before.</param>
/// <param name="FoundStored">Whether any chunk's row was stored before (another upload's), so its record is not the pack's.</param>
public sealed record RegisteredPack(IReadOnlyList<ChunkRecord> Chunks, bool FoundStored);
