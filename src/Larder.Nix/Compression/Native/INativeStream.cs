namespace Larder.Nix.Compression.Native;

/// <summary>
/// A C codec library's stream struct (<c>bz_stream</c>, <c>z_stream</c>, <c>lzma_stream</c>): the input and output
/// windows that each call of the library's step function reads from, writes to and advances.
/// </summary>
internal unsafe interface INativeStream
{
    /// <summary>Points the struct at <paramref name="input"/> and <paramref name="output"/> for the next call.</summary>
    void SetWindows(byte* input, int inputLength, byte* output, int outputLength);

    /// <summary>Bytes of the input window the last call left unconsumed.</summary>
    int InputLeft { get; }

    /// <summary>Bytes of the output window the last call left unfilled.</summary>
    int OutputLeft { get; }

    /// <summary>Forgets the window pointers, which are only valid while their buffers are pinned.</summary>
    void ClearWindows();
}
