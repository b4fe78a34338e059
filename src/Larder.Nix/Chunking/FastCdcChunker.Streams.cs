using System.Buffers;
using System.Runtime.CompilerServices;

namespace Larder.Nix.Chunking;

public sealed partial class FastCdcChunker
{
    /// <summary>
    /// Reads <paramref name="input"/> to its end and yields its chunks in order, each in a pooled buffer the caller
    /// owns (dispose it). Memory stays within a few MaxSize buffers whatever the input's length; an empty input
    /// yields no chunk. Does not close the stream.
    /// </summary>
    public async IAsyncEnumerable<Chunk> ReadChunksAsync(
        Stream input, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        using var accumulator = new ChunkAccumulator(this, ArrayPool<byte>.Shared);
        Chunk chunk;
        while (true)
        {
            while (accumulator.TryTakeChunk(isFinal: false, out chunk))
            {
                yield return chunk;
            }
            int read = await input.ReadAsync(accumulator.FreeSpace, cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                break;
            }
            accumulator.Advance(read);
        }
        while (accumulator.TryTakeChunk(isFinal: true, out chunk))
        {
            yield return chunk;
        }
    }
}
