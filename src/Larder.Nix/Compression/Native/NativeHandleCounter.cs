namespace Larder.Nix.Compression.Native;

/// <summary>Counts live native codec contexts, so tests can prove every one is released.</summary>
internal static class NativeHandleCounter
{
    private static long _live;

    /// <summary>Native contexts created and not yet freed, across all codecs.</summary>
    public static long Live => Interlocked.Read(ref _live);

    public static void Created() => Interlocked.Increment(ref _live);

    public static void Released() => Interlocked.Decrement(ref _live);
}
