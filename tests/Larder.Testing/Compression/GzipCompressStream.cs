using Larder.Nix.Compression;
using Larder.Nix.Compression.Native;
using Larder.Testing.Compression.Native;

namespace Larder.Testing.Compression;

/// <summary>Writes one gzip member through zlib's <c>deflate</c>, as the <c>gzip</c> tool does.</summary>
internal sealed unsafe class GzipCompressStream : CompressingStream
{
    private readonly ZlibDeflateHandle _stream;

    /// <param name="inner">Receives the gzip member.</param>
    /// <param name="level">0 (stored) to 9; null means 6, gzip's default.</param>
    /// <param name="leaveOpen">False: disposing this stream disposes <paramref name="inner"/>.</param>
    public GzipCompressStream(Stream inner, int? level = null, bool leaveOpen = false)
        : base(inner, CompressionKind.Gzip, leaveOpen)
    {
        var effective = level ?? ZlibEncoderNative.DefaultLevel;
        _stream = Construct(() =>
        {
            if (effective is < 0 or > 9)
            {
                throw new ArgumentOutOfRangeException(nameof(level), level, "gzip compression level must be between 0 and 9");
            }

            var stream = new ZlibDeflateHandle();
            stream.Initialize(
                CompressionKind.Gzip, s => ZlibEncoderNative.DeflateInit2Gzip(s, effective), ZlibNative.Ok,
                ret => $"deflateInit2 failed with zlib error {ret}");
            return stream;
        });
    }

    private protected override bool Encode(
        ReadOnlySpan<byte> input, Span<byte> output, EncodeAction action, out int consumed, out int written)
    {
        var flush = action switch
        {
            EncodeAction.Process => ZlibNative.NoFlush,
            EncodeAction.Flush => ZlibEncoderNative.SyncFlush,
            _ => ZlibEncoderNative.Finish,
        };
        var ret = _stream.Step(input, output, &ZlibEncoderNative.Deflate, flush, out consumed, out written);
        return (action, ret) switch
        {
            (_, ZlibNative.StreamEnd) => true,
            (EncodeAction.Process, ZlibNative.Ok or ZlibNative.BufError) => consumed == input.Length,
            // A sync flush is complete once deflate stops short of filling the output.
            (EncodeAction.Flush, ZlibNative.Ok or ZlibNative.BufError) => written < output.Length,
            (EncodeAction.Finish, ZlibNative.Ok or ZlibNative.BufError) => false,
            _ => throw Error($"compressing: zlib error {ret}"),
        };
    }

    private protected override void ReleaseEncoder() => _stream?.Dispose();
}
