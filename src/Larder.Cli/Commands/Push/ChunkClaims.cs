using System.Collections.Concurrent;
using Larder.Nix.Hashing;

namespace Larder.Cli.Commands.Push;

/// <summary>
/// The chunk uploads started during one push, by chunk hash, so that a chunk shared by several NARs (or repeated in
/// one) is sent once while every path that needs it can wait for it before committing.
/// </summary>
internal sealed class ChunkClaims
{
    private readonly ConcurrentDictionary<NixHash, Task> _uploads = new();

    /// <summary>
    /// Starts <paramref name="upload"/> unless an upload of <paramref name="hash"/> was started before; returns the
    /// upload either way, and whether this call started it.
    /// </summary>
    public (Task Upload, bool Started) GetOrStart(NixHash hash, Func<Task> upload)
    {
        var claim = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var existing = _uploads.GetOrAdd(hash, claim.Task);
        if (existing != claim.Task)
        {
            return (existing, false);
        }
        _ = CompleteAsync(claim, upload);
        return (claim.Task, true);
    }

    private static async Task CompleteAsync(TaskCompletionSource claim, Func<Task> upload)
    {
        try
        {
            await Task.Run(upload).ConfigureAwait(false);
            claim.SetResult();
        }
        catch (Exception e)
        {
            claim.SetException(e);
        }
    }
}
