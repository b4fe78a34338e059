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
    /// dump, so memory stays bounded), and the result has the NarHash, NarSize and chunk list. Pass a callback that
    /// only disposes the chunk to learn the chunk list without keeping any bytes.
    /// </summary>
    public static async Task<NarChunks> FromPathAsync(
        string path, FastCdcChunker chunker, Func<Chunk, CancellationToken, ValueTask> onChunk,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(onChunk);
        var entries = new List<ChunkEntry>();
        await using var sink = new ChunkingWriteStream(chunker, (chunk, token) =>
        {
            entries.Add(chunk.Entry);
            return onChunk(chunk, token);
        });
        await using var hashing = new HashingStream(sink, HashKind.Sha256, leaveOpen: true);
        await NarWriter.WriteAsync(path, hashing, cancellationToken).ConfigureAwait(false);
        await sink.CompleteAsync(cancellationToken).ConfigureAwait(false);
        return new NarChunks(hashing.GetHash(), hashing.Length, new ChunkList(entries));
    }
}
