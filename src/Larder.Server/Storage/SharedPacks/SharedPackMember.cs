using Larder.Server.Metadata;
using Larder.Server.Storage.Chunks;

namespace Larder.Server.Storage.SharedPacks;

/// <summary>One upload's pack in a <see cref="SharedPackBatch"/>: its chunks are <c>[First, First + Count)</c> of the batch's.</summary>
internal sealed class SharedPackMember(int first, int count)
{
    private readonly TaskCompletionSource<RegisteredPack> _registered = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task<RegisteredPack> Registered => _registered.Task;

    /// <summary>
    /// Answers the member's chunks' records; a chunk whose record is not the one the batch meant for it was stored
    /// before, by another upload or by another member of the same batch.
    /// </summary>
    public void Complete(PackRegistration registration)
    {
        var chunks = new ChunkRecord[count];
        var foundStored = false;
        for (var i = 0; i < count; i++)
        {
            chunks[i] = registration.Registered[first + i];
            foundStored |= chunks[i].StorageKey != registration.Intended[first + i].StorageKey;
        }
        _registered.TrySetResult(new RegisteredPack(chunks, foundStored));
    }

    public void Fail(Exception error) => _registered.TrySetException(error);
}
