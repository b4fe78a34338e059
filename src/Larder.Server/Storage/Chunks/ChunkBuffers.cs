using Larder.Server.Memory;

namespace Larder.Server.Storage.Chunks;

/// <summary>
/// The pool of whole-chunk buffers at the server (a received chunk, a compressed chunk or a group of them, a pack, the
/// chunks an ingest or a rechunk cuts). <see cref="System.Buffers.ArrayPool{T}.Shared"/> keeps up to 32 arrays per size
/// for every core and lets go of them only under memory pressure or after a minute unused, which after a push of 4 MiB
/// chunks (and their 8 MiB compression buffers) left hundreds of MiB resident in an idle server; a pool bounded per
/// size still kept ~100 MiB after a few pushes. This one keeps <see cref="MaxRetainedBytes"/> in all: what one ingest or
/// one pack upload uses (a 16 MiB pack, a 4 MiB group of compressed chunks, a few chunk buffers).
/// </summary>
internal static class ChunkBuffers
{
    /// <summary>Largest buffer pooled (larger ones are allocated and collected as usual).</summary>
    private const int MaxPooledLength = 64 << 20;

    /// <summary>Most bytes the pool keeps between uses.</summary>
    public const long MaxRetainedBytes = 32 << 20;

    /// <summary>The pool; arrays beyond what it keeps are left to the garbage collector.</summary>
    public static BoundedBufferPool Pool { get; } = new(MaxPooledLength, MaxRetainedBytes);
}
