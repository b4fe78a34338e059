using Larder.Server.Storage.Chunks;

namespace Larder.Server.Storage.SharedPacks;

/// <summary>One upload's pack in a <see cref="SharedPackBatch"/>: its chunks are <c>[First, First + Count)</c> of the batch's.</summary>
internal sealed class SharedPackMember(int first, int count)
{
    private readonly TaskCompletionSource<RegisteredPack> _registered = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task<RegisteredPack> Registered => _registered.Task;

    /// <summary>Answers the member's chunks' records (see <see cref="PackRegistration.Slice"/>).</summary>
    public void Complete(PackRegistration registration) => _registered.TrySetResult(registration.Slice(first, count));

    public void Fail(Exception error) => _registered.TrySetException(error);
}
