using Larder.Nix.Compression.Native;

namespace Larder.Nix.Compression;

/// <summary>
/// Writes one Zstandard frame (with content checksum, as the <c>zstd</c> tool does) through libzstd's
/// <c>ZSTD_compressStream2</c>.
/// </summary>
internal sealed unsafe class ZstdCompressStream : CompressingStream
{
    private readonly ZstdCStreamHandle _cctx;

    /// <param name="inner">Receives the compressed frame.</param>
    /// <param name="level">zstd level (<see cref="MinLevel"/> to <see cref="MaxLevel"/>); null means 3, zstd's default.</param>
    /// <param name="leaveOpen">False: disposing this stream disposes <paramref name="inner"/>.</param>
    public ZstdCompressStream(Stream inner, int? level = null, bool leaveOpen = false)
        : base(inner, CompressionKind.Zstd, leaveOpen)
    {
        var effective = level ?? ZstdNative.DefaultLevel;
        _cctx = Construct(() =>
        {
            var cctx = ZstdCStreamHandle.Create();
            try
            {
                if (effective < MinLevel || effective > MaxLevel)
                {
                    throw new ArgumentOutOfRangeException(
                        nameof(level), level, $"zstd compression level must be between {MinLevel} and {MaxLevel}");
                }

                ZstdNative.Check(ZstdNative.CCtxSetParameter(cctx, ZstdNative.CompressionLevelParameter, effective), "setting the level");
                ZstdNative.Check(ZstdNative.CCtxSetParameter(cctx, ZstdNative.ChecksumFlagParameter, 1), "enabling checksums");
            }
            catch
            {
                cctx.Dispose();
                throw;
            }

            return cctx;
        });
    }

    /// <summary>The lowest level libzstd accepts (negative levels trade ratio for speed).</summary>
    public static int MinLevel => ZstdNative.MinCLevel();

    /// <summary>The highest level libzstd accepts (22).</summary>
    public static int MaxLevel => ZstdNative.MaxCLevel();

    private protected override bool Encode(
        ReadOnlySpan<byte> input, Span<byte> output, EncodeAction action, out int consumed, out int written)
    {
        var endOp = action switch
        {
            EncodeAction.Process => ZstdNative.EndContinue,
            EncodeAction.Flush => ZstdNative.EndFlush,
            _ => ZstdNative.EndEnd,
        };
        fixed (byte* src = input)
        fixed (byte* dst = output)
        {
            var inBuffer = new ZstdInBuffer { Src = src, Size = (nuint)input.Length };
            var outBuffer = new ZstdOutBuffer { Dst = dst, Size = (nuint)output.Length };
            var remaining = ZstdNative.Check(ZstdNative.CompressStream2(_cctx, &outBuffer, &inBuffer, endOp), "compressing");
            consumed = (int)inBuffer.Pos;
            written = (int)outBuffer.Pos;
            return action == EncodeAction.Process ? consumed == input.Length : remaining == 0;
        }
    }

    private protected override void ReleaseEncoder() => _cctx?.Dispose();
}
