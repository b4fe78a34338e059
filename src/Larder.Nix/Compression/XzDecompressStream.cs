using Larder.Nix.Compression.Native;

namespace Larder.Nix.Compression;

/// <summary>
/// Reads .xz data through liblzma's <c>lzma_stream_decoder</c> with <c>LZMA_CONCATENATED</c>: concatenated streams
/// and stream padding decode as one, every check (CRC32/CRC64/SHA-256) is verified.
/// </summary>
internal sealed unsafe class XzDecompressStream : DecompressingStream
{
    private readonly LzmaStreamHandle _stream;
    private bool _ended;

    /// <param name="inner">The compressed data.</param>
    /// <param name="leaveOpen">False: disposing this stream disposes <paramref name="inner"/>.</param>
    public XzDecompressStream(Stream inner, bool leaveOpen = false)
        : base(inner, CompressionKind.Xz, leaveOpen)
    {
        _stream = Construct(() =>
        {
            var stream = new LzmaStreamHandle();
            stream.Initialize(
                CompressionKind.Xz, s => LzmaNative.StreamDecoder(s, ulong.MaxValue, LzmaNative.Concatenated), LzmaNative.Ok,
                ret => $"lzma_stream_decoder failed: {LzmaNative.Describe(ret)}");
            return stream;
        });
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

        // With LZMA_CONCATENATED the decoder only knows the data is over when told so by LZMA_FINISH.
        var ret = _stream.Step(input, output, &LzmaNative.Code, endOfInput ? LzmaNative.Finish : LzmaNative.Run, out consumed, out written);
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

    private protected override void ReleaseDecoder() => _stream?.Dispose();
}
