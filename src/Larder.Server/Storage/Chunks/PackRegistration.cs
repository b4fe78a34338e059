using Larder.Server.Metadata;

namespace Larder.Server.Storage.Chunks;

/// <summary>What storing a pack in the blob store registered.</summary>
/// <param name="Intended">Each chunk's record as the pack stored it, in order.</param>
/// <param name="Registered">Each chunk's registered record, in order: the intended one, or that of the same chunk stored before.</param>
public sealed record PackRegistration(IReadOnlyList<ChunkRecord> Intended, IReadOnlyList<ChunkRecord> Registered);
