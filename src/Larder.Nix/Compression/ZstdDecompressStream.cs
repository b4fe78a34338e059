using Larder.Nix.Compression.Native;

namespace Larder.Nix.Compression;

/// <summary>
/// Reads Zstandard data through libzstd's <c>ZSTD_decompressStream</c>: any number of concatenated frames
/// (skippable frames included), checksums verified when present. Windows above 128 MiB (<c>--long=28</c> and up)
/// are refused, which bounds the decoder's memory.
/// </summary>
internal sealed unsafe class ZstdDecompressStream : DecompressingStream
{
    private readonly ZstdDStreamHandle _dctx;
    private bool _atFrameEnd = true;

    /// <param name="inner">The compressed data.</param>
    /// <param name="leaveOpen">False: disposing this stream disposes <paramref name="inner"/>.</param>
    public ZstdDecompressStream(Stream inner, bool leaveOpen = false)
        : base(inner, CompressionKind.Zstd, leaveOpen)
    {
        _dctx = Construct(ZstdDStreamHandle.Create);
    }

    private protected override bool Decode(
        ReadOnlySpan<byte> input, Span<byte> output, bool endOfInput, out int consumed, out int written)
    {
        fixed (byte* src = input)
        fixed (byte* dst = output)
        {
            var inBuffer = new ZstdInBuffer { Src = src, Size = (nuint)input.Length };
            var outBuffer = new ZstdOutBuffer { Dst = dst, Size = (nuint)output.Length };
            var hint = ZstdNative.DecompressStream(_dctx, &outBuffer, &inBuffer);
            if (ZstdNative.IsError(hint) != 0)
            {
                ZstdNative.Check(hint, "corrupt or not zstd data");
            }

            consumed = (int)inBuffer.Pos;
            written = (int)outBuffer.Pos;

            // 0 means a frame was completely decoded and flushed. A call that makes no progress returns a hint for
            // the next frame's header, which says nothing about the frame just finished.
            if (hint == 0)
            {
                _atFrameEnd = true;
            }
            else if (consumed > 0 || written > 0)
            {
                _atFrameEnd = false;
            }

            return _atFrameEnd;
        }
    }

    private protected override void ReleaseDecoder() => _dctx?.Dispose();
}
