using System.Buffers;

namespace Larder.Server.Storage.Chunks;

/// <summary>
/// The pool of whole-chunk buffers at the server (a received chunk, a compressed chunk, the chunks an ingest or a
/// rechunk cuts). It keeps a few arrays per size for all threads: <see cref="ArrayPool{T}.Shared"/> keeps up to 32 per
/// size for every core and lets go of them only under memory pressure or after a minute unused, which after a push of
/// 4 MiB chunks (and their 8 MiB compression buffers) left hundreds of MiB resident in an idle server.
/// </summary>
internal static class ChunkBuffers
{
    /// <summary>Largest buffer pooled (larger ones are allocated and collected as usual).</summary>
    private const int MaxPooledLength = 64 << 20;

    /// <summary>The pool; arrays beyond what it keeps are left to the garbage collector.</summary>
    public static ArrayPool<byte> Pool { get; } =
        ArrayPool<byte>.Create(MaxPooledLength, maxArraysPerBucket: Math.Max(4, Environment.ProcessorCount * 2));
}
