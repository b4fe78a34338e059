namespace Larder.Nix.Compression.Native;

/// <summary>Owns a <c>bz_stream</c> set up for compression; releasing calls <c>BZ2_bzCompressEnd</c>.</summary>
internal sealed unsafe class Bzip2CompressHandle : NativeStreamHandle<BzStream>
{
    protected override void End(BzStream* stream) => Bzip2Native.CompressEnd(stream);
}
