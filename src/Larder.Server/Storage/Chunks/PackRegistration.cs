using Larder.Server.Metadata;

namespace Larder.Server.Storage.Chunks;

/// <summary>What storing a pack in the blob store registered.</summary>
/// <param name="Intended">Each chunk's record as the pack stored it, in order.</param>
/// <param name="Registered">Each chunk's registered record, in order: the intended one, or that of the same chunk stored before.</param>
public sealed record PackRegistration(IReadOnlyList<ChunkRecord> Intended, IReadOnlyList<ChunkRecord> Registered)
{
    /// <summary>
    /// The registered records of chunks <c>[first, first + count)</c>; found stored when any is not the intended one
    /// (the same chunk stored before, by another upload or by another pack in the same blob).
    /// </summary>
    public RegisteredPack Slice(int first, int count)
    {
        var chunks = new ChunkRecord[count];
        var foundStored = false;
        for (var i = 0; i < count; i++)
        {
            chunks[i] = Registered[first + i];
            foundStored |= chunks[i].StorageKey != Intended[first + i].StorageKey;
        }
        return new RegisteredPack(chunks, foundStored);
    }
}
