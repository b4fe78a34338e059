using System.Buffers;
using System.IO.Compression;

namespace Larder.Nix.Compression;

/// <summary>
/// Reads one Brotli stream through the BCL's <see cref="BrotliDecoder"/>. Unlike
/// <see cref="BrotliStream"/>, a stream cut short is an error, as is data after its end.
/// </summary>
internal sealed class BrotliDecompressStream : DecompressingStream
{
    private BrotliDecoder _decoder;
    private bool _ended;

    /// <param name="inner">The compressed data.</param>
    /// <param name="leaveOpen">False: disposing this stream disposes <paramref name="inner"/>.</param>
    public BrotliDecompressStream(Stream inner, bool leaveOpen = false)
        : base(inner, CompressionKind.Brotli, leaveOpen)
    {
        _decoder = new BrotliDecoder();
    }

    private protected override bool Decode(
        ReadOnlySpan<byte> input, Span<byte> output, bool endOfInput, out int consumed, out int written)
    {
        if (_ended)
        {
            if (!input.IsEmpty)
            {
                throw Error("trailing data after the end of the brotli stream");
            }

            consumed = 0;
            written = 0;
            return true;
        }

        var status = _decoder.Decompress(input, output, out consumed, out written);
        switch (status)
        {
            case OperationStatus.Done:
                _ended = true;
                return true;
            case OperationStatus.InvalidData:
                throw Error("corrupt or not brotli data");
            default:
                return false;
        }
    }

    private protected override void ReleaseDecoder() => _decoder.Dispose();
}
