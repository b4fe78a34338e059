using System.Runtime.InteropServices;

namespace Larder.Nix.Compression.Native;

/// <summary>
/// Owns a zeroed, unmovable native block holding a C library's stream struct (<c>lzma_stream</c>, <c>bz_stream</c>,
/// <c>z_stream</c>). It lives outside the managed heap because bzip2 and zlib keep a pointer back to the struct
/// and check it on every call. Releasing ends the codec (when <see cref="Initialized"/>) and frees the block.
/// </summary>
internal abstract unsafe class NativeStreamHandle<T> : SafeHandle
    where T : unmanaged
{
    protected NativeStreamHandle()
        : base(nint.Zero, ownsHandle: true)
    {
        SetHandle((nint)NativeMemory.AllocZeroed((nuint)sizeof(T)));
        NativeHandleCounter.Created();
    }

    public override bool IsInvalid => handle == nint.Zero;

    /// <summary>The struct; valid until the handle is released.</summary>
    public T* Stream => (T*)handle;

    /// <summary>Set after the library's init call succeeded: only then does release call its end function.</summary>
    public bool Initialized { get; set; }

    /// <summary>Frees what the library's init allocated (<c>lzma_end</c>, <c>BZ2_bzDecompressEnd</c>, …).</summary>
    protected abstract void End(T* stream);

    protected override bool ReleaseHandle()
    {
        if (Initialized)
        {
            End((T*)handle);
        }

        NativeMemory.Free((void*)handle);
        NativeHandleCounter.Released();
        return true;
    }
}
