using Larder.Nix.Hashing;
using Larder.Nix.Nar;
using Larder.Nix.Streams;

namespace Larder.Nix.Chunking;

/// <summary>A NAR described by its hash, size and ordered chunks, as a chunk-level push commits it.</summary>
/// <param name="NarHash">SHA-256 of the whole NAR.</param>
/// <param name="NarSize">Length of the NAR in bytes (the sum of the chunk lengths).</param>
/// <param name="Chunks">The chunks in order.</param>
public sealed record NarChunks(NixHash NarHash, long NarSize, ChunkList Chunks)
{
    /// <summary>
    /// Serializes <paramref name="path"/> as a NAR (like <c>nix-store --dump</c>) and chunks it while streaming, in one
    /// pass: each chunk goes to <paramref name="onChunk"/> (which owns it: dispose it; a slow callback slows the
    /// dump, so memory stays bounded), and the result has the NarHash, NarSize and chunk list. To learn the chunk list
    /// without keeping any bytes, <see cref="ListAsync"/> is faster.
    /// </summary>
    public static async Task<NarChunks> FromPathAsync(
        string path, FastCdcChunker chunker, Func<Chunk, CancellationToken, ValueTask> onChunk,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(onChunk);
        var entries = new List<ChunkEntry>();
        var (narHash, narSize) = await DumpAsync(path, chunker, (chunk, token) =>
        {
            entries.Add(chunk.Entry);
            return onChunk(chunk, token);
        }, cancellationToken).ConfigureAwait(false);
        return new NarChunks(narHash, narSize, new ChunkList(entries));
    }

    /// <summary>
    /// The NarHash, NarSize and chunk list of <paramref name="path"/>'s NAR, keeping no bytes: one thread dumps, hashes
    /// the NAR and finds cut points while up to <paramref name="hashingThreads"/> others hash the chunks (each holds
    /// one chunk buffer meanwhile), so on several cores a pass costs little more than the NarHash.
    /// </summary>
    public static async Task<NarChunks> ListAsync(
        string path, FastCdcChunker chunker, int hashingThreads, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(hashingThreads, 1);
        using var slots = new SemaphoreSlim(hashingThreads);
        var hashing = new List<Task<ChunkEntry>>();
        try
        {
            var (narHash, narSize) = await DumpAsync(path, chunker, async (chunk, token) =>
            {
                try
                {
                    await slots.WaitAsync(token).ConfigureAwait(false);
                }
                catch
                {
                    chunk.Dispose();
                    throw;
                }
                hashing.Add(Task.Run(() =>
                {
                    using (chunk)
                    {
                        try
                        {
                            return chunk.Entry;
                        }
                        finally
                        {
                            slots.Release();
                        }
                    }
                }, CancellationToken.None));
            }, cancellationToken).ConfigureAwait(false);
            return new NarChunks(narHash, narSize, new ChunkList(await Task.WhenAll(hashing).ConfigureAwait(false)));
        }
        finally
        {
            // Chunk buffers go back to the pool only once every hashing task is done with them.
            await ((Task)Task.WhenAll(hashing)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    private static async Task<(NixHash NarHash, long NarSize)> DumpAsync(
        string path, FastCdcChunker chunker, Func<Chunk, CancellationToken, ValueTask> onChunk, CancellationToken cancellationToken)
    {
        await using var sink = new ChunkingWriteStream(chunker, onChunk);
        await using var hashing = new HashingStream(sink, HashKind.Sha256, leaveOpen: true);
        await NarWriter.WriteAsync(path, hashing, cancellationToken).ConfigureAwait(false);
        await sink.CompleteAsync(cancellationToken).ConfigureAwait(false);
        return (hashing.GetHash(), hashing.Length);
    }
}
