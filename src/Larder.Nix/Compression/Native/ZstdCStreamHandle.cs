using System.Runtime.InteropServices;

namespace Larder.Nix.Compression.Native;

/// <summary>Owns a <c>ZSTD_CStream*</c> (a <c>ZSTD_CCtx*</c>); freed on dispose or finalization.</summary>
internal sealed class ZstdCStreamHandle : SafeHandle
{
    public ZstdCStreamHandle()
        : base(nint.Zero, ownsHandle: true)
    {
    }

    public override bool IsInvalid => handle == nint.Zero;

    /// <summary>Creates a compression context; throws when libzstd is missing or out of memory.</summary>
    public static ZstdCStreamHandle Create()
    {
        ZstdCStreamHandle created;
        try
        {
            created = ZstdNative.CreateCStream();
        }
        catch (DllNotFoundException e)
        {
            throw NativeLibraries.Missing(CompressionKind.Zstd, e);
        }

        if (created.IsInvalid)
        {
            created.Dispose();
            throw new CompressionException(CompressionKind.Zstd, "ZSTD_createCStream failed (out of memory)");
        }

        NativeHandleCounter.Created();
        return created;
    }

    protected override bool ReleaseHandle()
    {
        ZstdNative.FreeCStream(handle);
        NativeHandleCounter.Released();
        return true;
    }
}
