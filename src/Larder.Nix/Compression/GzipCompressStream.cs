using Larder.Nix.Compression.Native;

namespace Larder.Nix.Compression;

/// <summary>Writes one gzip member through zlib's <c>deflate</c>, as the <c>gzip</c> tool does.</summary>
public sealed unsafe class GzipCompressStream : CompressingStream
{
    private readonly ZlibDeflateHandle _stream;

    /// <param name="inner">Receives the gzip member.</param>
    /// <param name="level">0 (stored) to 9; null means 6, gzip's default.</param>
    /// <param name="leaveOpen">False: disposing this stream disposes <paramref name="inner"/>.</param>
    public GzipCompressStream(Stream inner, int? level = null, bool leaveOpen = false)
        : base(inner, CompressionKind.Gzip, leaveOpen)
    {
        var effective = level ?? ZlibNative.DefaultLevel;
        if (effective is < 0 or > 9)
        {
            AbandonConstruction();
            throw new ArgumentOutOfRangeException(nameof(level), level, "gzip compression level must be between 0 and 9");
        }

        _stream = new ZlibDeflateHandle();
        try
        {
            int ret;
            try
            {
                ret = ZlibNative.DeflateInit2Gzip(_stream.Stream, effective);
            }
            catch (DllNotFoundException e)
            {
                throw NativeLibraries.Missing(CompressionKind.Gzip, e);
            }

            if (ret != ZlibNative.Ok)
            {
                throw Error($"deflateInit2 failed with zlib error {ret}");
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
        var flush = action switch
        {
            EncodeAction.Process => ZlibNative.NoFlush,
            EncodeAction.Flush => ZlibNative.SyncFlush,
            _ => ZlibNative.Finish,
        };
        var stream = _stream.Stream;
        fixed (byte* src = input)
        fixed (byte* dst = output)
        {
            stream->NextIn = src;
            stream->AvailIn = (uint)input.Length;
            stream->NextOut = dst;
            stream->AvailOut = (uint)output.Length;
            var ret = ZlibNative.Deflate(stream, flush);
            consumed = input.Length - (int)stream->AvailIn;
            written = output.Length - (int)stream->AvailOut;
            var outputLeft = stream->AvailOut;
            stream->NextIn = null;
            stream->NextOut = null;
            return (action, ret) switch
            {
                (_, ZlibNative.StreamEnd) => true,
                (EncodeAction.Process, ZlibNative.Ok or ZlibNative.BufError) => consumed == input.Length,
                // A sync flush is complete once deflate stops short of filling the output.
                (EncodeAction.Flush, ZlibNative.Ok or ZlibNative.BufError) => outputLeft > 0,
                (EncodeAction.Finish, ZlibNative.Ok or ZlibNative.BufError) => false,
                _ => throw Error($"compressing: zlib error {ret}"),
            };
        }
    }

    private protected override void ReleaseEncoder() => _stream?.Dispose();
}
