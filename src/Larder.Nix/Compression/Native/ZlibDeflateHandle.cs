namespace Larder.Nix.Compression.Native;

/// <summary>Owns a <c>z_stream</c> set up for deflate; releasing calls <c>deflateEnd</c>.</summary>
internal sealed unsafe class ZlibDeflateHandle : NativeStreamHandle<ZStream>
{
    protected override void End(ZStream* stream) => ZlibNative.DeflateEnd(stream);
}
