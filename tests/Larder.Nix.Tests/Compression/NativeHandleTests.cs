using Larder.Nix.Compression;
using Larder.Nix.Compression.Native;
using Larder.Nix.Tests.Compression.Support;
using Larder.Testing.Compression;

namespace Larder.Nix.Tests.Compression;

/// <summary>Counts native codec contexts, so it runs alone: other tests would move the counter.</summary>
[CollectionDefinition(nameof(NativeHandleTests), DisableParallelization = true)]
public class NativeHandleCollection;

[Collection(nameof(NativeHandleTests))]
public class NativeHandleTests
{
    private static readonly CompressionKind[] NativeKinds = [CompressionKind.Zstd, CompressionKind.Xz, CompressionKind.Bzip2, CompressionKind.Gzip];

    [Fact]
    public void Ten_thousand_open_close_cycles_release_every_native_context()
    {
        var before = NativeHandleCounter.Live;
        var compressed = NativeKinds.ToDictionary(kind => kind, kind => TestData.Compress(kind, [1, 2, 3]));
        var buffer = new byte[16];
        for (var i = 0; i < 10_000; i++)
        {
            var kind = NativeKinds[i % NativeKinds.Length];
            using (var decompressor = Codecs.Decompress(new MemoryStream(compressed[kind]), kind, leaveOpen: false))
            {
                decompressor.ReadExactly(buffer.AsSpan(0, 3));
            }

            // Cheap levels keep 10k compression contexts fast (xz 9 would allocate 674 MiB each time).
            using (var compressor = TestCodecs.Compress(Stream.Null, kind, level: 1, leaveOpen: true))
            {
                compressor.Write(buffer);
            }

            Assert.Equal(before, NativeHandleCounter.Live);
        }
    }

    [Fact]
    public void Streams_that_are_never_disposed_release_their_context_when_collected()
    {
        var before = NativeHandleCounter.Live;
        Abandon();
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        Assert.Equal(before, NativeHandleCounter.Live);

        static void Abandon()
        {
            foreach (var kind in NativeKinds)
            {
                _ = Codecs.Decompress(new MemoryStream(), kind, leaveOpen: false);
                _ = TestCodecs.Compress(new MemoryStream(), kind, level: 1, leaveOpen: false);
            }

            Assert.True(NativeHandleCounter.Live > 0);
        }
    }

    [Fact]
    public async Task A_failed_decode_still_releases_its_context_on_dispose()
    {
        var before = NativeHandleCounter.Live;
        foreach (var kind in NativeKinds)
        {
            await using var decompressor = Codecs.Decompress(new MemoryStream(TestData.Random(100)), kind, leaveOpen: false);
            await Assert.ThrowsAsync<CompressionException>(() => decompressor.CopyToAsync(Stream.Null));
        }

        Assert.Equal(before, NativeHandleCounter.Live);
    }
}
