using Larder.Server.Metadata;

namespace Larder.Server.Storage.Packs;

/// <summary>A byte range of one blob; <see cref="FirstChunk"/> is the hash of the chunk it starts in (for errors).</summary>
public sealed record BlobSpan(string Key, long Offset, long Length, string FirstChunk);

/// <summary>
/// Turns a run of a file form (the chunks' stored bytes, concatenated) into blob ranges, merging neighbours: chunks
/// stored one after another in the same pack (as an ingest or a pack upload writes a NAR's new chunks) are read with
/// one ranged read instead of one per chunk.
/// </summary>
public static class BlobSpans
{
    /// <summary>The ranges holding bytes <c>[from, from + length)</c> of the file form of <paramref name="chunks"/>, in order.</summary>
    public static IReadOnlyList<BlobSpan> Cover(IReadOnlyList<ChunkRecord> chunks, long from, long length)
    {
        ArgumentNullException.ThrowIfNull(chunks);
        var spans = new List<BlobSpan>();
        long chunkStart = 0;
        foreach (var chunk in chunks)
        {
            long chunkEnd = chunkStart + chunk.StoredSize;
            if (length > 0 && from < chunkEnd)
            {
                long inChunk = from - chunkStart;
                long take = Math.Min(length, chunk.StoredSize - inChunk);
                long offset = chunk.BlobOffset + inChunk;
                if (spans.Count > 0 && spans[^1] is var last && last.Key == chunk.BlobKey && last.Offset + last.Length == offset)
                {
                    spans[^1] = last with { Length = last.Length + take };
                }
                else
                {
                    spans.Add(new BlobSpan(chunk.BlobKey, offset, take, chunk.Hash));
                }
                from += take;
                length -= take;
            }
            chunkStart = chunkEnd;
        }
        return spans;
    }

    /// <summary>The ranges of the whole file form of <paramref name="chunks"/>.</summary>
    public static IReadOnlyList<BlobSpan> All(IReadOnlyList<ChunkRecord> chunks)
    {
        ArgumentNullException.ThrowIfNull(chunks);
        return Cover(chunks, 0, chunks.Sum(chunk => chunk.StoredSize));
    }
}
