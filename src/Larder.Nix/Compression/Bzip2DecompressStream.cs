using Larder.Nix.Compression.Native;

namespace Larder.Nix.Compression;

/// <summary>
/// Reads bzip2 data (the compression of old Nix caches) through libbz2's <c>BZ2_bzDecompress</c>. Concatenated
/// streams, as <c>pbzip2</c> and <c>cat a.bz2 b.bz2</c> produce, decode as one; block CRCs are verified.
/// </summary>
public sealed unsafe class Bzip2DecompressStream : DecompressingStream
{
    private readonly Bzip2DecompressHandle _stream;
    private bool _streamEnded;

    /// <param name="inner">The compressed data.</param>
    /// <param name="leaveOpen">False: disposing this stream disposes <paramref name="inner"/>.</param>
    public Bzip2DecompressStream(Stream inner, bool leaveOpen = false)
        : base(inner, CompressionKind.Bzip2, leaveOpen)
    {
        _stream = new Bzip2DecompressHandle();
        try
        {
            Init();
        }
        catch
        {
            AbandonConstruction();
            throw;
        }
    }

    private void Init()
    {
        int ret;
        try
        {
            ret = Bzip2Native.DecompressInit(_stream.Stream, verbosity: 0, small: 0);
        }
        catch (DllNotFoundException e)
        {
            throw NativeLibraries.Missing(CompressionKind.Bzip2, e);
        }

        if (ret != Bzip2Native.Ok)
        {
            throw Error($"BZ2_bzDecompressInit failed: {Bzip2Native.Describe(ret)}");
        }

        _stream.Initialized = true;
    }

    private protected override bool Decode(
        ReadOnlySpan<byte> input, Span<byte> output, bool endOfInput, out int consumed, out int written)
    {
        consumed = 0;
        written = 0;
        if (_streamEnded)
        {
            if (input.IsEmpty)
            {
                return true;
            }

            // More data after a complete stream: the next concatenated stream starts here.
            Bzip2Native.DecompressEnd(_stream.Stream);
            _stream.Initialized = false;
            Init();
            _streamEnded = false;
        }

        var stream = _stream.Stream;
        fixed (byte* src = input)
        fixed (byte* dst = output)
        {
            stream->NextIn = src;
            stream->AvailIn = (uint)input.Length;
            stream->NextOut = dst;
            stream->AvailOut = (uint)output.Length;
            var ret = Bzip2Native.Decompress(stream);
            consumed = input.Length - (int)stream->AvailIn;
            written = output.Length - (int)stream->AvailOut;
            stream->NextIn = null;
            stream->NextOut = null;
            switch (ret)
            {
                case Bzip2Native.Ok:
                    return false;
                case Bzip2Native.StreamEnd:
                    _streamEnded = true;
                    return true;
                default:
                    throw Error(Bzip2Native.Describe(ret));
            }
        }
    }

    private protected override void ReleaseDecoder() => _stream?.Dispose();
}
