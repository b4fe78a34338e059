namespace Larder.Nix.Compression.Native;

/// <summary>Owns a <c>z_stream</c> set up for inflate; releasing calls <c>inflateEnd</c>.</summary>
internal sealed unsafe class ZlibInflateHandle : NativeStreamHandle<ZStream>
{
    protected override void End(ZStream* stream) => ZlibNative.InflateEnd(stream);
}
