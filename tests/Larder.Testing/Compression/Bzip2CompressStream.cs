using Larder.Nix.Compression;
using Larder.Nix.Compression.Native;
using Larder.Testing.Compression.Native;

namespace Larder.Testing.Compression;

/// <summary>Writes one bzip2 stream through libbz2's <c>BZ2_bzCompress</c>.</summary>
internal sealed unsafe class Bzip2CompressStream : CompressingStream
{
    private readonly Bzip2CompressHandle _stream;

    /// <param name="inner">Receives the bzip2 stream.</param>
    /// <param name="level">Block size 1 to 9 (×100 KB); null means 9, the <c>bzip2</c> tool's default.</param>
    /// <param name="leaveOpen">False: disposing this stream disposes <paramref name="inner"/>.</param>
    public Bzip2CompressStream(Stream inner, int? level = null, bool leaveOpen = false)
        : base(inner, CompressionKind.Bzip2, leaveOpen)
    {
        var blockSize = level ?? Bzip2EncoderNative.DefaultBlockSize;
        _stream = Construct(() =>
        {
            if (blockSize is < 1 or > 9)
            {
                throw new ArgumentOutOfRangeException(nameof(level), level, "bzip2 compression level must be between 1 and 9");
            }

            var stream = new Bzip2CompressHandle();
            stream.Initialize(
                CompressionKind.Bzip2, s => Bzip2EncoderNative.CompressInit(s, blockSize, verbosity: 0, workFactor: 0), Bzip2Native.Ok,
                ret => $"BZ2_bzCompressInit failed: {Bzip2Native.Describe(ret)}");
            return stream;
        });
    }

    private protected override bool Encode(
        ReadOnlySpan<byte> input, Span<byte> output, EncodeAction action, out int consumed, out int written)
    {
        var bzAction = action switch
        {
            EncodeAction.Process => Bzip2EncoderNative.Run,
            EncodeAction.Flush => Bzip2EncoderNative.Flush,
            _ => Bzip2EncoderNative.Finish,
        };
        var ret = _stream.Step(input, output, &Bzip2EncoderNative.Compress, bzAction, out consumed, out written);
        return ret switch
        {
            // After BZ_FLUSH, BZ_RUN_OK means the flush is complete.
            Bzip2EncoderNative.RunOk => action != EncodeAction.Process || consumed == input.Length,
            Bzip2EncoderNative.FlushOk or Bzip2EncoderNative.FinishOk => false,
            Bzip2Native.StreamEnd => true,
            _ => throw Error($"compressing: {Bzip2Native.Describe(ret)}"),
        };
    }

    private protected override void ReleaseEncoder() => _stream?.Dispose();
}
