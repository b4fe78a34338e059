namespace Larder.Nix.Compression.Native;

/// <summary>Owns a <c>bz_stream</c> set up for decompression; releasing calls <c>BZ2_bzDecompressEnd</c>.</summary>
internal sealed unsafe class Bzip2DecompressHandle : NativeStreamHandle<BzStream>
{
    protected override void End(BzStream* stream) => Bzip2Native.DecompressEnd(stream);
}
