using Larder.Nix.Compression.Native;

namespace Larder.Nix.Compression;

/// <summary>Writes one bzip2 stream through libbz2's <c>BZ2_bzCompress</c>.</summary>
public sealed unsafe class Bzip2CompressStream : CompressingStream
{
    private readonly Bzip2CompressHandle _stream;

    /// <param name="inner">Receives the bzip2 stream.</param>
    /// <param name="level">Block size 1 to 9 (×100 KB); null means 9, the <c>bzip2</c> tool's default.</param>
    /// <param name="leaveOpen">False: disposing this stream disposes <paramref name="inner"/>.</param>
    public Bzip2CompressStream(Stream inner, int? level = null, bool leaveOpen = false)
        : base(inner, CompressionKind.Bzip2, leaveOpen)
    {
        var blockSize = level ?? Bzip2Native.DefaultBlockSize;
        if (blockSize is < 1 or > 9)
        {
            AbandonConstruction();
            throw new ArgumentOutOfRangeException(nameof(level), level, "bzip2 compression level must be between 1 and 9");
        }

        _stream = new Bzip2CompressHandle();
        try
        {
            int ret;
            try
            {
                ret = Bzip2Native.CompressInit(_stream.Stream, blockSize, verbosity: 0, workFactor: 0);
            }
            catch (DllNotFoundException e)
            {
                throw NativeLibraries.Missing(CompressionKind.Bzip2, e);
            }

            if (ret != Bzip2Native.Ok)
            {
                throw Error($"BZ2_bzCompressInit failed: {Bzip2Native.Describe(ret)}");
            }

            _stream.Initialized = true;
        }
        catch
        {
            AbandonConstruction();
            throw;
        }
    }

    private protected override bool Encode(
        ReadOnlySpan<byte> input, Span<byte> output, EncodeAction action, out int consumed, out int written)
    {
        var bzAction = action switch
        {
            EncodeAction.Process => Bzip2Native.Run,
            EncodeAction.Flush => Bzip2Native.Flush,
            _ => Bzip2Native.Finish,
        };
        var stream = _stream.Stream;
        fixed (byte* src = input)
        fixed (byte* dst = output)
        {
            stream->NextIn = src;
            stream->AvailIn = (uint)input.Length;
            stream->NextOut = dst;
            stream->AvailOut = (uint)output.Length;
            var ret = Bzip2Native.Compress(stream, bzAction);
            consumed = input.Length - (int)stream->AvailIn;
            written = output.Length - (int)stream->AvailOut;
            stream->NextIn = null;
            stream->NextOut = null;
            return ret switch
            {
                // After BZ_FLUSH, BZ_RUN_OK means the flush is complete.
                Bzip2Native.RunOk => action != EncodeAction.Process || consumed == input.Length,
                Bzip2Native.FlushOk or Bzip2Native.FinishOk => false,
                Bzip2Native.StreamEnd => true,
                _ => throw Error($"compressing: {Bzip2Native.Describe(ret)}"),
            };
        }
    }

    private protected override void ReleaseEncoder() => _stream?.Dispose();
}
