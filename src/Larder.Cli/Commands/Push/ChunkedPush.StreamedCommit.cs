using System.Net;
using Larder.Cli.Client;
using Larder.Cli.LocalStore;
using Larder.Contracts.Chunks;
using Larder.Contracts.Push;
using Larder.Nix.Hashing;

namespace Larder.Cli.Commands.Push;

/// <summary>
/// The streamed commit of a chunked path (<see cref="StreamedCommit"/>, when the server takes it): opened when the
/// path's NAR starts to be read, fed window by window once the server holds each window's chunks, ended by
/// <see cref="PushAsync"/>, broken off when the path is not committed.
/// </summary>
internal sealed partial class ChunkedPush
{
    // The streamed commit's answer; null when the request failed on its way (a proxy in between may time out a body
    // left open while earlier paths are committed), so the whole-list commit is sent instead. A 400 is the server's
    // verdict on the chunks and goes to the repair.
    private async Task<PushResult?> TryStreamedAsync(LocalPathInfo info, StreamedCommit commit, PushPathMetadata metadata, CancellationToken cancellationToken)
    {
        try
        {
            return await commit.FinishAsync(metadata).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not ApiException { Status: HttpStatusCode.BadRequest } && !cancellationToken.IsCancellationRequested)
        {
            _progress.Note($"the streamed commit of {info.Path} failed ({e.Message}): sending its whole chunk list instead");
            return null;
        }
    }

    /// <summary>Breaks off the streamed commits of paths planned but never committed (a reference of theirs failed).</summary>
    public void AbandonUnfinished()
    {
        foreach (var planned in _planned.Values)
        {
            Close(planned);
        }
    }

    // A streamed commit for the path, when the server takes them and fewer than MaxOpenCommits are open.
    private StreamedCommit? Open(LocalPathInfo info, CancellationToken cancellationToken) =>
        _streams?.Wait(0) == true ? new StreamedCommit(_client, _cache, info.Path, cancellationToken) : null;

    // Abandons the path's streamed commit once.
    private void Close(PlannedPath planned)
    {
        if (Interlocked.Exchange(ref planned.Commit, null) is { } commit)
        {
            Abandon(commit);
        }
    }

    // Breaks the body off unless it was finished, and frees its slot.
    private void Abandon(StreamedCommit commit)
    {
        commit.Abort();
        _streams!.Release();
    }

    // Sends a window's chunks to the streamed commit once the server holds them all and the windows before it were
    // sent; with sendPackNow, the pack holding its new chunks is sent once they are in it rather than when it is full.
    private async Task AnnounceAsync(
        StreamedCommit commit, Task previous, List<Task> packing, bool sendPackNow, List<Task> uploads, NixHash[] hashes,
        CancellationToken cancellationToken)
    {
        if (sendPackNow)
        {
            await FlushPacksAsync(packing, cancellationToken).ConfigureAwait(false);
        }
        await Task.WhenAll(uploads).ConfigureAwait(false);
        await previous.ConfigureAwait(false);
        commit.Announce([.. hashes.Select(hash => hash.ToNix32String())]);
    }
}
