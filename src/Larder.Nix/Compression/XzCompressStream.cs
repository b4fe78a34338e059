using Larder.Nix.Compression.Native;

namespace Larder.Nix.Compression;

/// <summary>
/// Writes one .xz stream (LZMA2, CRC64 check) through liblzma's <c>lzma_easy_encoder</c>, as the <c>xz</c> tool and
/// Nix's own xz compression do.
/// </summary>
public sealed unsafe class XzCompressStream : CompressingStream
{
    private readonly LzmaStreamHandle _stream;

    /// <param name="inner">Receives the .xz stream.</param>
    /// <param name="level">Preset 0 to 9; null means 6, the default of <c>xz</c> and Nix.</param>
    /// <param name="leaveOpen">False: disposing this stream disposes <paramref name="inner"/>.</param>
    public XzCompressStream(Stream inner, int? level = null, bool leaveOpen = false)
        : base(inner, CompressionKind.Xz, leaveOpen)
    {
        var preset = level ?? (int)LzmaNative.DefaultPreset;
        if (preset is < 0 or > 9)
        {
            AbandonConstruction();
            throw new ArgumentOutOfRangeException(nameof(level), level, "xz compression level must be between 0 and 9");
        }

        _stream = new LzmaStreamHandle();
        try
        {
            int ret;
            try
            {
                ret = LzmaNative.EasyEncoder(_stream.Stream, (uint)preset, LzmaNative.CheckCrc64);
            }
            catch (DllNotFoundException e)
            {
                throw NativeLibraries.Missing(CompressionKind.Xz, e);
            }

            if (ret != LzmaNative.Ok)
            {
                throw Error($"lzma_easy_encoder failed: {LzmaNative.Describe(ret)}");
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
        var lzmaAction = action switch
        {
            EncodeAction.Process => LzmaNative.Run,
            EncodeAction.Flush => LzmaNative.SyncFlush,
            _ => LzmaNative.Finish,
        };
        var stream = _stream.Stream;
        fixed (byte* src = input)
        fixed (byte* dst = output)
        {
            stream->NextIn = src;
            stream->AvailIn = (nuint)input.Length;
            stream->NextOut = dst;
            stream->AvailOut = (nuint)output.Length;
            var ret = LzmaNative.Code(stream, lzmaAction);
            consumed = input.Length - (int)stream->AvailIn;
            written = output.Length - (int)stream->AvailOut;
            stream->NextIn = null;
            stream->NextOut = null;
            if (ret is not (LzmaNative.Ok or LzmaNative.StreamEnd))
            {
                throw Error($"compressing: {LzmaNative.Describe(ret)}");
            }

            return action == EncodeAction.Process ? consumed == input.Length : ret == LzmaNative.StreamEnd;
        }
    }

    private protected override void ReleaseEncoder() => _stream?.Dispose();
}
