using Larder.Nix.Compression.Native;

namespace Larder.Nix.Tests.Compression;

/// <summary>The P/Invoke structs must have the C libraries' layout (LP64 Linux), or the libraries write past them.</summary>
public unsafe class NativeLayoutTests
{
    [Fact]
    public void Structs_have_the_sizes_of_their_C_counterparts()
    {
        Assert.Equal(136, sizeof(LzmaStream)); // lzma_stream
        Assert.Equal(80, sizeof(BzStream));    // bz_stream
        Assert.Equal(112, sizeof(ZStream));    // z_stream
        Assert.Equal(24, sizeof(ZstdInBuffer));
        Assert.Equal(24, sizeof(ZstdOutBuffer));
    }

    [Fact]
    public void Fields_the_code_touches_sit_at_their_C_offsets()
    {
        Assert.Equal(24, (int)System.Runtime.InteropServices.Marshal.OffsetOf<LzmaStream>(nameof(LzmaStream.NextOut)));
        Assert.Equal(24, (int)System.Runtime.InteropServices.Marshal.OffsetOf<BzStream>(nameof(BzStream.NextOut)));
        Assert.Equal(32, (int)System.Runtime.InteropServices.Marshal.OffsetOf<BzStream>(nameof(BzStream.AvailOut)));
        Assert.Equal(24, (int)System.Runtime.InteropServices.Marshal.OffsetOf<ZStream>(nameof(ZStream.NextOut)));
        Assert.Equal(48, (int)System.Runtime.InteropServices.Marshal.OffsetOf<ZStream>(nameof(ZStream.Msg)));
    }
}
