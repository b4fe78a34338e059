using System.Globalization;
using Larder.Nix.Chunking;
using Larder.Nix.Compression;
using Larder.Nix.Hashing;

namespace Larder.Bench.Chunking;

/// <summary>
/// The storage scenario of issue 9 without a server: successive versions of a pseudo-random file, each changing a
/// share of the previous one's bytes in a few places plus one insertion that shifts everything after it. Every version
/// is chunked with each setting; each distinct chunk is zstd-compressed once, as the server would store it.
/// </summary>
internal static class Versions
{
    public static ChunkingOptions ParseSettings(string text)
    {
        var parts = text.Split('/');
        if (parts.Length != 3)
        {
            throw new FormatException($"chunk settings '{text}' should be min/avg/max in KiB, like 256/1024/4096");
        }
        int KiB(string part) => int.Parse(part, CultureInfo.InvariantCulture) * 1024;
        return new ChunkingOptions { MinSize = KiB(parts[0]), AverageSize = KiB(parts[1]), MaxSize = KiB(parts[2]) };
    }

    /// <param name="text">Bytes drawn from 16 letters (4 bits of entropy: zstd halves them) instead of all 256 values.</param>
    public static async Task RunAsync(
        int sizeMiB, int versions, double changedPercent, int places, int insertedBytes, bool text, ChunkingOptions[] settings)
    {
        var random = new Random(7);
        var current = new byte[sizeMiB * 1024 * 1024];
        Fill(current, random, text);
        var stores = settings.Select(options => new Store(new FastCdcChunker(options))).ToArray();

        for (int version = 0; version < versions; version++)
        {
            if (version > 0)
            {
                current = Edit(current, random, changedPercent, places, insertedBytes, text);
            }
            foreach (var store in stores)
            {
                await store.AddVersionAsync(current).ConfigureAwait(false);
            }
        }

        double versionMiB = sizeMiB;
        Console.WriteLine($"{versions} versions of a {sizeMiB} MiB pseudo-random {(text ? "16-letter text" : "binary")} file; each version overwrites {changedPercent}% " +
                          $"of the previous one in {places} places and inserts {insertedBytes} bytes at one place.");
        Console.WriteLine("stored = distinct chunks, each zstd-3 compressed; x_version = stored / first version's size; " +
                          "push = bytes of version N+1's chunks missing from version N (mean) / its size");
        Console.WriteLine($"{"min/avg/max",-18} {"avg_chunk",9} {"chunks",7} {"distinct_MiB",12} {"stored_MiB",10} " +
                          $"{"x_version",9} {"obj/MiB",8} {"push_%",7} {"cpu_s",6}");
        foreach (var store in stores)
        {
            double storedMiB = store.StoredBytes / 1048576.0;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{store.Chunker.Options,-18} {store.LastVersionAverageChunk / 1024.0,8:F0}K {store.DistinctChunks,7} " +
                $"{store.DistinctBytes / 1048576.0,12:F1} {storedMiB,10:F1} {storedMiB / versionMiB,9:F2} " +
                $"{store.DistinctChunks / storedMiB,8:F2} {store.MeanPushShare * 100,7:F2} {store.CpuSeconds,6:F1}"));
        }
    }

    private static byte[] Edit(byte[] previous, Random random, double changedPercent, int places, int insertedBytes, bool text)
    {
        int perPlace = (int)(previous.Length * changedPercent / 100 / places);
        var next = new byte[previous.Length + insertedBytes];
        int insertAt = random.Next(previous.Length);
        previous.AsSpan(0, insertAt).CopyTo(next);
        Fill(next.AsSpan(insertAt, insertedBytes), random, text);
        previous.AsSpan(insertAt).CopyTo(next.AsSpan(insertAt + insertedBytes));
        for (int i = 0; i < places; i++)
        {
            Fill(next.AsSpan(random.Next(next.Length - perPlace), perPlace), random, text);
        }
        return next;
    }

    private static void Fill(Span<byte> bytes, Random random, bool text)
    {
        random.NextBytes(bytes);
        if (text)
        {
            foreach (ref byte b in bytes)
            {
                b = (byte)('a' + (b & 15));
            }
        }
    }

    /// <summary>What one chunk setting would have stored so far.</summary>
    private sealed class Store(FastCdcChunker chunker)
    {
        private readonly HashSet<NixHash> _stored = [];
        private readonly MemoryStream _compressed = new();
        private HashSet<NixHash>? _previousVersion;
        private double _pushShareSum;
        private int _pushes;

        public FastCdcChunker Chunker => chunker;
        public int DistinctChunks => _stored.Count;
        public long DistinctBytes { get; private set; }
        public long StoredBytes { get; private set; }
        public double LastVersionAverageChunk { get; private set; }
        public double MeanPushShare => _pushes == 0 ? 0 : _pushShareSum / _pushes;
        public double CpuSeconds { get; private set; }

        public async Task AddVersionAsync(byte[] content)
        {
            var clock = CpuClock.Start();
            var thisVersion = new HashSet<NixHash>();
            long missingFromPrevious = 0;
            await foreach (var chunk in chunker.ReadChunksAsync(new MemoryStream(content, writable: false)).ConfigureAwait(false))
            {
                using (chunk)
                {
                    if (thisVersion.Add(chunk.Hash) && _previousVersion is not null && !_previousVersion.Contains(chunk.Hash))
                    {
                        missingFromPrevious += chunk.Length;
                    }
                    if (_stored.Add(chunk.Hash))
                    {
                        DistinctBytes += chunk.Length;
                        StoredBytes += CompressedLength(chunk.Data.Span);
                    }
                }
            }
            if (_previousVersion is not null)
            {
                _pushShareSum += (double)missingFromPrevious / content.Length;
                _pushes++;
            }
            _previousVersion = thisVersion;
            LastVersionAverageChunk = (double)content.Length / thisVersion.Count;
            CpuSeconds += clock.Elapsed().Cpu;
        }

        private long CompressedLength(ReadOnlySpan<byte> data)
        {
            _compressed.SetLength(0);
            using (var compressor = Codecs.Compress(_compressed, CompressionKind.Zstd, level: null, leaveOpen: true))
            {
                compressor.Write(data);
            }
            return _compressed.Length;
        }
    }
}
