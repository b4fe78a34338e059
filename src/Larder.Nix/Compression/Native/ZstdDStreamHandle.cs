using System.Runtime.InteropServices;

namespace Larder.Nix.Compression.Native;

/// <summary>Owns a <c>ZSTD_DStream*</c>; freed on dispose or finalization.</summary>
internal sealed class ZstdDStreamHandle : SafeHandle
{
    public ZstdDStreamHandle()
        : base(nint.Zero, ownsHandle: true)
    {
    }

    public override bool IsInvalid => handle == nint.Zero;

    /// <summary>Creates a decompression context; throws when libzstd is missing or out of memory.</summary>
    public static ZstdDStreamHandle Create()
    {
        ZstdDStreamHandle created;
        try
        {
            created = ZstdNative.CreateDStream();
        }
        catch (DllNotFoundException e)
        {
            throw NativeLibraries.Missing(CompressionKind.Zstd, e);
        }

        if (created.IsInvalid)
        {
            created.Dispose();
            throw new CompressionException(CompressionKind.Zstd, "ZSTD_createDStream failed (out of memory)");
        }

        NativeHandleCounter.Created();
        return created;
    }

    protected override bool ReleaseHandle()
    {
        ZstdNative.FreeDStream(handle);
        NativeHandleCounter.Released();
        return true;
    }
}
