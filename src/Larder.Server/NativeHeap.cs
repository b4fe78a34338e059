using System.Runtime.InteropServices;

namespace Larder.Server;

/// <summary>
/// Caps glibc's malloc arenas for the server process, and gives their free pages back on request. glibc gives threads their own arenas (up to eight per core) and
/// keeps freed memory in each: the zstd, xz and SQLite allocations of requests running on ever other thread-pool
/// threads left tens of MiB resident per arena in a busy server (issue 9: ingesting 2 GiB stayed above 200 MiB RSS;
/// two arenas measured 26 MiB lower at the same throughput). Same effect as <c>MALLOC_ARENA_MAX=2</c>, which, when
/// set, is left to win. Elsewhere (musl, macOS) nothing happens.
/// </summary>
internal static partial class NativeHeap
{
    private const int ArenaMaxOption = -8;
    private const int Arenas = 2;

    /// <summary>Applies the cap; call once, early (arenas already made are kept).</summary>
    public static void LimitArenas()
    {
        if (!OperatingSystem.IsLinux() || Environment.GetEnvironmentVariable("MALLOC_ARENA_MAX") is not null)
        {
            return;
        }
        try
        {
            _ = MallOpt(ArenaMaxOption, Arenas);
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
        {
            // Not glibc: its allocator has no arenas to cap.
        }
    }

    /// <summary>
    /// Gives the free pages of every malloc arena back to the system (glibc's <c>malloc_trim</c>): a freed zstd context
    /// in the middle of an arena stays resident otherwise. Elsewhere nothing happens.
    /// </summary>
    public static void Trim()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }
        try
        {
            _ = MallocTrim(0);
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
        {
            // Not glibc.
        }
    }

    [LibraryImport("libc", EntryPoint = "malloc_trim")]
    private static partial int MallocTrim(nuint pad);

    [LibraryImport("libc", EntryPoint = "mallopt")]
    private static partial int MallOpt(int option, int value);
}
