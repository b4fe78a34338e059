using Larder.Nix.Compression.Native;

namespace Larder.Nix.Compression;

/// <summary>
/// Reads gzip data through zlib's <c>inflate</c>: concatenated members decode as one, each member's CRC32 and length
/// are verified, and a member cut short is an error. (<see cref="System.IO.Compression.GZipStream"/> silently
/// returns a truncated member's partial content, hence zlib.)
/// </summary>
internal sealed unsafe class GzipDecompressStream : DecompressingStream
{
    private readonly ZlibInflateHandle _stream;
    private bool _memberEnded;

    /// <param name="inner">The compressed data.</param>
    /// <param name="leaveOpen">False: disposing this stream disposes <paramref name="inner"/>.</param>
    public GzipDecompressStream(Stream inner, bool leaveOpen = false)
        : base(inner, CompressionKind.Gzip, leaveOpen)
    {
        _stream = Construct(() =>
        {
            var stream = new ZlibInflateHandle();
            stream.Initialize(
                CompressionKind.Gzip, s => ZlibNative.InflateInit2(s, ZlibNative.GzipWindowBits), ZlibNative.Ok,
                ret => $"inflateInit2 failed with zlib error {ret}");
            return stream;
        });
    }

    private protected override bool Decode(
        ReadOnlySpan<byte> input, Span<byte> output, bool endOfInput, out int consumed, out int written)
    {
        consumed = 0;
        written = 0;
        if (_memberEnded)
        {
            if (input.IsEmpty)
            {
                return true;
            }

            // More data after a complete member: the next member starts here.
            if (ZlibNative.InflateReset(_stream.Stream) != ZlibNative.Ok)
            {
                throw Error("inflateReset failed");
            }

            _memberEnded = false;
        }

        var ret = _stream.Step(input, output, &ZlibNative.Inflate, ZlibNative.NoFlush, out consumed, out written);
        switch (ret)
        {
            case ZlibNative.Ok:
            case ZlibNative.BufError: // no progress possible: more input needed
                return false;
            case ZlibNative.StreamEnd:
                _memberEnded = true;
                return true;
            case ZlibNative.NeedDict:
                throw Error("corrupt data (asks for a preset dictionary)");
            case ZlibNative.MemError:
                throw Error("out of memory");
            default:
                var message = _stream.Stream->Msg is null
                    ? $"zlib error {ret}"
                    : System.Runtime.InteropServices.Marshal.PtrToStringUTF8((nint)_stream.Stream->Msg);
                throw Error($"corrupt or not gzip data: {message}");
        }
    }

    private protected override void ReleaseDecoder() => _stream?.Dispose();
}
