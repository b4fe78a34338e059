using Larder.Nix.Compression.Native;

namespace Larder.Nix.Compression;

/// <summary>
/// Reads gzip data through zlib's <c>inflate</c>: concatenated members decode as one, each member's CRC32 and length
/// are verified, and a member cut short is an error. (<see cref="System.IO.Compression.GZipStream"/> silently
/// returns a truncated member's partial content, hence zlib.)
/// </summary>
public sealed unsafe class GzipDecompressStream : DecompressingStream
{
    private readonly ZlibInflateHandle _stream;
    private bool _memberEnded;

    /// <param name="inner">The compressed data.</param>
    /// <param name="leaveOpen">False: disposing this stream disposes <paramref name="inner"/>.</param>
    public GzipDecompressStream(Stream inner, bool leaveOpen = false)
        : base(inner, CompressionKind.Gzip, leaveOpen)
    {
        _stream = new ZlibInflateHandle();
        try
        {
            int ret;
            try
            {
                ret = ZlibNative.InflateInit2(_stream.Stream, ZlibNative.GzipWindowBits);
            }
            catch (DllNotFoundException e)
            {
                throw NativeLibraries.Missing(CompressionKind.Gzip, e);
            }

            if (ret != ZlibNative.Ok)
            {
                throw Error($"inflateInit2 failed with zlib error {ret}");
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
        var stream = _stream.Stream;
        if (_memberEnded)
        {
            if (input.IsEmpty)
            {
                return true;
            }

            // More data after a complete member: the next member starts here.
            if (ZlibNative.InflateReset(stream) != ZlibNative.Ok)
            {
                throw Error("inflateReset failed");
            }

            _memberEnded = false;
        }

        fixed (byte* src = input)
        fixed (byte* dst = output)
        {
            stream->NextIn = src;
            stream->AvailIn = (uint)input.Length;
            stream->NextOut = dst;
            stream->AvailOut = (uint)output.Length;
            var ret = ZlibNative.Inflate(stream, ZlibNative.NoFlush);
            consumed = input.Length - (int)stream->AvailIn;
            written = output.Length - (int)stream->AvailOut;
            stream->NextIn = null;
            stream->NextOut = null;
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
                    var message = stream->Msg is null
                        ? $"zlib error {ret}"
                        : System.Runtime.InteropServices.Marshal.PtrToStringUTF8((nint)stream->Msg);
                    throw Error($"corrupt or not gzip data: {message}");
            }
        }
    }

    private protected override void ReleaseDecoder() => _stream?.Dispose();
}
