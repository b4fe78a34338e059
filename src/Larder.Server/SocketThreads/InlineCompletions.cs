using System.Net.Sockets;
using System.Runtime.CompilerServices;

namespace Larder.Server.SocketThreads;

/// <summary>
/// Whether a socket's completions run on the runtime's epoll thread instead of a thread-pool item. The runtime offers
/// this per process only (<c>DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS</c>); per socket it is the internal
/// <c>SafeSocketHandle.PreferInlineCompletions</c> the variable sets the default of (read at every event), reached here
/// without reflection. A runtime
/// without it makes <see cref="TrySet"/> return false, and Larder serves as before.
/// </summary>
internal static class InlineCompletions
{
    private static volatile bool _unavailable = !OperatingSystem.IsLinux();

    /// <summary>Whether the runtime lets one socket's completions run inline.</summary>
    public static bool IsAvailable => !_unavailable;

    /// <summary>Sets whether <paramref name="socket"/>'s completions run on the epoll thread; false when the runtime cannot.</summary>
    public static bool TrySet(Socket socket, bool inline)
    {
        if (_unavailable)
        {
            return false;
        }
        try
        {
            SetPreferInlineCompletions(socket.SafeHandle, inline);
            return true;
        }
        catch (MissingMemberException)
        {
            _unavailable = true;
            return false;
        }
    }

    /// <summary>Reads the setting back; null when the runtime does not have it.</summary>
    public static bool? TryGet(Socket socket)
    {
        if (_unavailable)
        {
            return null;
        }
        try
        {
            return GetPreferInlineCompletions(socket.SafeHandle);
        }
        catch (MissingMemberException)
        {
            _unavailable = true;
            return null;
        }
    }

    [UnsafeAccessor(UnsafeAccessorKind.Method, Name = "set_PreferInlineCompletions")]
    private static extern void SetPreferInlineCompletions(SafeSocketHandle socket, bool value);

    [UnsafeAccessor(UnsafeAccessorKind.Method, Name = "get_PreferInlineCompletions")]
    private static extern bool GetPreferInlineCompletions(SafeSocketHandle socket);
}
