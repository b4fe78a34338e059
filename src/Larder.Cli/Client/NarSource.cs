using Larder.Cli.Infrastructure;
using Larder.Cli.LocalStore;
using Larder.Nix.Compression;
using Larder.Nix.Hashing;
using Larder.Nix.Nar;
using Larder.Nix.Streams;

namespace Larder.Cli.Client;

/// <summary>
/// Produces a path's NAR from the filesystem (our own <see cref="NarWriter"/>), hashing it on the way and checking it
/// against the NarHash/NarSize Nix recorded: a mismatch throws before the stream is finished, so a receiver never sees
/// a complete body for a corrupted path.
/// </summary>
public static class NarSource
{
    private const int BufferSize = 1 << 17;
    private const int ZstdLevel = 3;

    /// <summary>
    /// Writes the NAR of <paramref name="info"/> to <paramref name="output"/>, compressed as <paramref name="compression"/>
    /// (<c>none</c> or <c>zstd</c>), reporting uncompressed bytes to <paramref name="onBytes"/>. <paramref name="output"/> is
    /// flushed, not closed.
    /// </summary>
    public static async Task WriteAsync(
        LocalPathInfo info, string compression, Stream output, Action<long>? onBytes, CancellationToken cancellationToken)
    {
        var expected = NixHash.Parse(info.NarHash);
        // Not disposed on failure: disposing would flush a tail into a request that must be aborted instead.
        var buffered = new BufferedStream(new NonClosingStream(output), BufferSize);
        var compressor = compression == "zstd" ? Codecs.Compress(buffered, CompressionKind.Zstd, ZstdLevel, leaveOpen: true) : null;
        try
        {
            var counting = new CountingWriteStream(compressor ?? buffered, onBytes);
            var hashing = new HashingStream(counting, expected.Kind, leaveOpen: true);
            try
            {
                await NarWriter.WriteAsync(info.Path, hashing, cancellationToken).ConfigureAwait(false);
            }
            catch (IOException e)
            {
                throw new CliException($"cannot read {info.Path}: {e.Message}");
            }
            var actual = hashing.GetHash();
            if (!actual.Equals(expected) || hashing.Length != info.NarSize)
            {
                throw Corrupted(info, actual, hashing.Length);
            }
            if (compressor is not null)
            {
                await compressor.DisposeAsync().ConfigureAwait(false);
                compressor = null;
            }
        }
        finally
        {
            compressor?.Dispose();
        }
        await buffered.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The error for a path whose NAR on disk (<paramref name="actual"/>, <paramref name="length"/> bytes) is not the one Nix recorded.</summary>
    public static CliException Corrupted(LocalPathInfo info, NixHash actual, long length) => new(
        $"{info.Path} does not match the NarHash Nix recorded for it (recorded {info.NarHash}, {info.NarSize} bytes; " +
        $"on disk {actual.ToNix32String()}, {length} bytes): the store path was modified or corrupted",
        $"run `nix-store --verify-path {info.Path}` and repair it (`nix-store --repair-path`); nothing was uploaded");
}
