using System.Runtime.InteropServices;

namespace Larder.Nix.Compression.Native;

/// <summary>A C library's init call on its stream struct (<c>lzma_easy_encoder</c>, <c>BZ2_bzDecompressInit</c>, …).</summary>
internal unsafe delegate int NativeInit<T>(T* stream)
    where T : unmanaged;

/// <summary>
/// Owns a zeroed, unmovable native block holding a C library's stream struct (<c>lzma_stream</c>, <c>bz_stream</c>,
/// <c>z_stream</c>), and runs the two things every codec of these libraries does with it: the init call
/// (<see cref="Initialize"/>) and one step over an input and an output window (<see cref="Step"/>). The block lives
/// outside the managed heap because bzip2 and zlib keep a pointer back to the struct and check it on every call.
/// Releasing ends the codec (when <see cref="Initialized"/>) and frees the block.
/// </summary>
internal abstract unsafe class NativeStreamHandle<T> : SafeHandle
    where T : unmanaged, INativeStream
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

    /// <summary>
    /// Runs the library's <paramref name="init"/> call; a missing library, or a result other than <paramref name="ok"/>
    /// (described by <paramref name="failure"/>), throws <see cref="CompressionException"/> and releases this handle.
    /// </summary>
    public void Initialize(CompressionKind codec, NativeInit<T> init, int ok, Func<int, string> failure)
    {
        try
        {
            int ret;
            try
            {
                ret = init(Stream);
            }
            catch (DllNotFoundException e)
            {
                throw NativeLibraries.Missing(codec, e);
            }
            if (ret != ok)
            {
                throw new CompressionException(codec, failure(ret));
            }
            Initialized = true;
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>
    /// One call of the library's <paramref name="step"/> function (<c>lzma_code</c>, <c>deflate</c>, …) with
    /// <paramref name="action"/>, from <paramref name="input"/> into <paramref name="output"/>; returns its result code.
    /// </summary>
    public int Step(
        ReadOnlySpan<byte> input, Span<byte> output, delegate*<T*, int, int> step, int action, out int consumed, out int written)
    {
        var stream = Stream;
        fixed (byte* src = input)
        fixed (byte* dst = output)
        {
            stream->SetWindows(src, input.Length, dst, output.Length);
            var ret = step(stream, action);
            consumed = input.Length - stream->InputLeft;
            written = output.Length - stream->OutputLeft;
            stream->ClearWindows();
            return ret;
        }
    }

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
