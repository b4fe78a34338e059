using Larder.Nix.Compression.Native;

namespace Larder.Nix.Compression;

/// <summary>
/// One libzstd context that compresses many inputs, each into a whole frame with checksum, byte for byte what a
/// <see cref="ZstdCompressStream"/> of the same level writes for it: the input goes in as a stream and the frame is
/// ended after it, so the header names no content size. A context made and freed for every small input (a chunk)
/// costs an allocation of a few MiB each time, which glibc keeps in its arenas. Not thread-safe; a failed call leaves
/// the context unusable (dispose it).
/// </summary>
public sealed unsafe class ZstdFrameCompressor : IDisposable
{
    private readonly ZstdCStreamHandle _cctx;

    /// <param name="level">zstd level (<see cref="ZstdCompressStream.MinLevel"/> to <see cref="ZstdCompressStream.MaxLevel"/>).</param>
    public ZstdFrameCompressor(int level)
    {
        if (level < ZstdCompressStream.MinLevel || level > ZstdCompressStream.MaxLevel)
        {
            throw new ArgumentOutOfRangeException(nameof(level), level, $"zstd compression level must be between {ZstdCompressStream.MinLevel} and {ZstdCompressStream.MaxLevel}");
        }
        _cctx = ZstdCStreamHandle.Create();
        try
        {
            ZstdNative.Check(ZstdNative.CCtxSetParameter(_cctx, ZstdNative.CompressionLevelParameter, level), "setting the level");
            ZstdNative.Check(ZstdNative.CCtxSetParameter(_cctx, ZstdNative.ChecksumFlagParameter, 1), "enabling checksums");
        }
        catch
        {
            _cctx.Dispose();
            throw;
        }
    }

    /// <summary>Compresses <paramref name="input"/> into one frame in <paramref name="output"/>; returns its length.</summary>
    /// <exception cref="CompressionException">libzstd failed, or the frame does not fit in <paramref name="output"/>.</exception>
    public int Compress(ReadOnlySpan<byte> input, Span<byte> output)
    {
        fixed (byte* src = input)
        fixed (byte* dst = output)
        {
            var inBuffer = new ZstdInBuffer { Src = src, Size = (nuint)input.Length };
            var outBuffer = new ZstdOutBuffer { Dst = dst, Size = (nuint)output.Length };
            while (inBuffer.Pos < inBuffer.Size)
            {
                ZstdNative.Check(ZstdNative.CompressStream2(_cctx, &outBuffer, &inBuffer, ZstdNative.EndContinue), "compressing");
                EnsureRoom(outBuffer);
            }
            var end = new ZstdInBuffer();
            while (ZstdNative.Check(ZstdNative.CompressStream2(_cctx, &outBuffer, &end, ZstdNative.EndEnd), "ending the frame") != 0)
            {
                EnsureRoom(outBuffer);
            }
            return (int)outBuffer.Pos;
        }
    }

    private static void EnsureRoom(ZstdOutBuffer buffer)
    {
        if (buffer.Pos == buffer.Size)
        {
            throw new CompressionException(CompressionKind.Zstd, $"the compressed frame does not fit in {buffer.Size} bytes");
        }
    }

    public void Dispose() => _cctx.Dispose();
}
