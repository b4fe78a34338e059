using Larder.Nix.Compression.Native;

namespace Larder.Nix.Compression;

/// <summary>
/// Reads .xz data through liblzma's <c>lzma_stream_decoder</c> with <c>LZMA_CONCATENATED</c>: concatenated streams
/// and stream padding decode as one, every check (CRC32/CRC64/SHA-256) is verified.
/// </summary>
public sealed unsafe class XzDecompressStream : DecompressingStream
{
    private readonly LzmaStreamHandle _stream;
    private bool _ended;

    /// <param name="inner">The compressed data.</param>
    /// <param name="leaveOpen">False: disposing this stream disposes <paramref name="inner"/>.</param>
    public XzDecompressStream(Stream inner, bool leaveOpen = false)
        : base(inner, CompressionKind.Xz, leaveOpen)
    {
        _stream = new LzmaStreamHandle();
        try
        {
            int ret;
            try
            {
                ret = LzmaNative.StreamDecoder(_stream.Stream, ulong.MaxValue, LzmaNative.Concatenated);
            }
            catch (DllNotFoundException e)
            {
                throw NativeLibraries.Missing(CompressionKind.Xz, e);
            }

            if (ret != LzmaNative.Ok)
            {
                throw Error($"lzma_stream_decoder failed: {LzmaNative.Describe(ret)}");
            }

            _stream.Initialized = true;
        }
        catch
        {
            AbandonConstruction();
            throw;
        }
    }

    private protected override bool Decode(
        ReadOnlySpan<byte> input, Span<byte> output, bool endOfInput, out int consumed, out int written)
    {
        consumed = 0;
        written = 0;
        if (_ended)
        {
            // liblzma reported the end once; calling it again would be a programming error on its side.
            return true;
        }

        var stream = _stream.Stream;
        fixed (byte* src = input)
        fixed (byte* dst = output)
        {
            stream->NextIn = src;
            stream->AvailIn = (nuint)input.Length;
            stream->NextOut = dst;
            stream->AvailOut = (nuint)output.Length;

            // With LZMA_CONCATENATED the decoder only knows the data is over when told so by LZMA_FINISH.
            var ret = LzmaNative.Code(stream, endOfInput ? LzmaNative.Finish : LzmaNative.Run);
            consumed = input.Length - (int)stream->AvailIn;
            written = output.Length - (int)stream->AvailOut;
            stream->NextIn = null;
            stream->NextOut = null;
            switch (ret)
            {
                case LzmaNative.Ok:
                    return false;
                case LzmaNative.StreamEnd:
                    _ended = true;
                    return true;
                case LzmaNative.BufError:
                    // Only at LZMA_FINISH with nothing more to give: the last stream is incomplete.
                    return false;
                default:
                    throw Error(LzmaNative.Describe(ret));
            }
        }
    }

    private protected override void ReleaseDecoder() => _stream?.Dispose();
}
