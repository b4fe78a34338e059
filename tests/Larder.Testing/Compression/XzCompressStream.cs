using Larder.Nix.Compression;
using Larder.Nix.Compression.Native;
using Larder.Testing.Compression.Native;

namespace Larder.Testing.Compression;

/// <summary>
/// Writes one .xz stream (LZMA2, CRC64 check) through liblzma's <c>lzma_easy_encoder</c>, as the <c>xz</c> tool and
/// Nix's own xz compression do.
/// </summary>
internal sealed unsafe class XzCompressStream : CompressingStream
{
    private readonly LzmaStreamHandle _stream;

    /// <param name="inner">Receives the .xz stream.</param>
    /// <param name="level">Preset 0 to 9; null means 6, the default of <c>xz</c> and Nix.</param>
    /// <param name="leaveOpen">False: disposing this stream disposes <paramref name="inner"/>.</param>
    public XzCompressStream(Stream inner, int? level = null, bool leaveOpen = false)
        : base(inner, CompressionKind.Xz, leaveOpen)
    {
        var preset = level ?? (int)LzmaEncoderNative.DefaultPreset;
        _stream = Construct(() =>
        {
            if (preset is < 0 or > 9)
            {
                throw new ArgumentOutOfRangeException(nameof(level), level, "xz compression level must be between 0 and 9");
            }

            var stream = new LzmaStreamHandle();
            stream.Initialize(
                CompressionKind.Xz, s => LzmaEncoderNative.EasyEncoder(s, (uint)preset, LzmaEncoderNative.CheckCrc64), LzmaNative.Ok,
                ret => $"lzma_easy_encoder failed: {LzmaNative.Describe(ret)}");
            return stream;
        });
    }

    private protected override bool Encode(
        ReadOnlySpan<byte> input, Span<byte> output, EncodeAction action, out int consumed, out int written)
    {
        var lzmaAction = action switch
        {
            EncodeAction.Process => LzmaNative.Run,
            EncodeAction.Flush => LzmaEncoderNative.SyncFlush,
            _ => LzmaNative.Finish,
        };
        var ret = _stream.Step(input, output, &LzmaNative.Code, lzmaAction, out consumed, out written);
        if (ret is not (LzmaNative.Ok or LzmaNative.StreamEnd))
        {
            throw Error($"compressing: {LzmaNative.Describe(ret)}");
        }

        return action == EncodeAction.Process ? consumed == input.Length : ret == LzmaNative.StreamEnd;
    }

    private protected override void ReleaseEncoder() => _stream?.Dispose();
}
