namespace Larder.Nix.Compression.Native;

/// <summary>Owns an <c>lzma_stream</c>; releasing calls <c>lzma_end</c>.</summary>
internal sealed unsafe class LzmaStreamHandle : NativeStreamHandle<LzmaStream>
{
    protected override void End(LzmaStream* stream) => LzmaNative.End(stream);
}
