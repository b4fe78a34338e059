using Larder.Nix.Compression.Native;

namespace Larder.Nix.Compression;

/// <summary>
/// Reads bzip2 data (the compression of old Nix caches) through libbz2's <c>BZ2_bzDecompress</c>. Concatenated
/// streams, as <c>pbzip2</c> and <c>cat a.bz2 b.bz2</c> produce, decode as one; block CRCs are verified.
/// </summary>
internal sealed unsafe class Bzip2DecompressStream : DecompressingStream
{
    private Bzip2DecompressHandle _stream;
    private bool _streamEnded;

    /// <param name="inner">The compressed data.</param>
    /// <param name="leaveOpen">False: disposing this stream disposes <paramref name="inner"/>.</param>
    public Bzip2DecompressStream(Stream inner, bool leaveOpen = false)
        : base(inner, CompressionKind.Bzip2, leaveOpen)
    {
        _stream = Construct(Open);
    }

    private static Bzip2DecompressHandle Open()
    {
        var stream = new Bzip2DecompressHandle();
        stream.Initialize(
            CompressionKind.Bzip2, s => Bzip2Native.DecompressInit(s, verbosity: 0, small: 0), Bzip2Native.Ok,
            ret => $"BZ2_bzDecompressInit failed: {Bzip2Native.Describe(ret)}");
        return stream;
    }

    // BZ2_bzDecompress takes no action: the shape of the step every codec shares.
    private static int Decompress(BzStream* stream, int action) => Bzip2Native.Decompress(stream);

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
            _stream.Dispose();
            _stream = Open();
            _streamEnded = false;
        }

        var ret = _stream.Step(input, output, &Decompress, 0, out consumed, out written);
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

    private protected override void ReleaseDecoder() => _stream?.Dispose();
}
