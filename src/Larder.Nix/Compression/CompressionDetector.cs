using Larder.Nix.Streams;

namespace Larder.Nix.Compression;

/// <summary>
/// Recognises a compressed stream by its first bytes. Useful where the name does not tell: Nix uploads gzip NARs as
/// plain <c>nar/….nar</c>, with only the narinfo saying <c>Compression: gzip</c>.
/// </summary>
public static class CompressionDetector
{
    /// <summary>Bytes of a prefix that are enough for <see cref="TryDetect"/> to decide (the NAR magic is the longest).</summary>
    public const int PrefixLength = 21;

    private static ReadOnlySpan<byte> ZstdMagic => [0x28, 0xB5, 0x2F, 0xFD];
    private static ReadOnlySpan<byte> XzMagic => [0xFD, (byte)'7', (byte)'z', (byte)'X', (byte)'Z', 0x00];
    private static ReadOnlySpan<byte> GzipMagic => [0x1F, 0x8B, 0x08];

    // A NAR opens with the string "nix-archive-1": its length 13 as a little-endian u64, then the text.
    private static readonly byte[] NarMagic = [13, 0, 0, 0, 0, 0, 0, 0, .. "nix-archive-1"u8];

    /// <summary>
    /// Detects zstd (including a leading skippable frame), xz, bzip2 and gzip by magic number, and an uncompressed NAR
    /// as <see cref="CompressionKind.None"/>. Brotli has no magic number: false for it, and for anything else.
    /// </summary>
    public static bool TryDetect(ReadOnlySpan<byte> prefix, out CompressionKind kind)
    {
        kind = prefix switch
        {
            _ when prefix.StartsWith(NarMagic) => CompressionKind.None,
            _ when prefix.StartsWith(ZstdMagic) || IsZstdSkippableFrame(prefix) => CompressionKind.Zstd,
            _ when prefix.StartsWith(XzMagic) => CompressionKind.Xz,
            _ when prefix.StartsWith(GzipMagic) => CompressionKind.Gzip,
            [(byte)'B', (byte)'Z', (byte)'h', >= (byte)'1' and <= (byte)'9', 0x31, 0x41, 0x59, 0x26, 0x53, 0x59, ..] => CompressionKind.Bzip2,
            [(byte)'B', (byte)'Z', (byte)'h', >= (byte)'1' and <= (byte)'9', 0x17, 0x72, 0x45, 0x38, 0x50, 0x90, ..] => CompressionKind.Bzip2,
            _ => (CompressionKind)(-1),
        };
        return Enum.IsDefined(kind);
    }

    /// <summary>
    /// Reads the first <see cref="PrefixLength"/> bytes of <paramref name="input"/> and detects their compression like
    /// <see cref="TryDetect"/> (null when unknown); <c>Replay</c> yields the whole stream again, those bytes included.
    /// </summary>
    public static async Task<(CompressionKind? Kind, Stream Replay)> PeekAsync(
        Stream input, bool leaveOpen, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        var prefix = new byte[PrefixLength];
        var got = 0;
        int n;
        while (got < prefix.Length && (n = await input.ReadAsync(prefix.AsMemory(got), cancellationToken).ConfigureAwait(false)) > 0)
        {
            got += n;
        }
        CompressionKind? kind = TryDetect(prefix.AsSpan(0, got), out var detected) ? detected : null;
        return (kind, new PrefixedReadStream(prefix[..got], input, leaveOpen));
    }

    // Skippable frames have magic 0x184D2A50 to 0x184D2A5F (little-endian).
    private static bool IsZstdSkippableFrame(ReadOnlySpan<byte> prefix) =>
        prefix.Length >= 4 && (prefix[0] & 0xF0) == 0x50 && prefix[1] == 0x2A && prefix[2] == 0x4D && prefix[3] == 0x18;
}
