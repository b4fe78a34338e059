namespace Larder.Server.SocketThreads;

/// <summary>
/// The runtime's socket event threads. It runs one for up to 30 cores unless completions are inline for the whole
/// process; answering on them (<see cref="SocketThreadGate"/>) needs one per core, as nginx runs a worker per core, so
/// that every core answers and one slow answer holds up only that thread's connections.
/// </summary>
internal static class EpollThreads
{
    private const string CountVariable = "DOTNET_SYSTEM_NET_SOCKETS_THREAD_COUNT";

    /// <summary>
    /// Asks for one event thread per core unless the operator set <c>DOTNET_SYSTEM_NET_SOCKETS_THREAD_COUNT</c>. The
    /// runtime reads it when the process opens its first socket, so this is called before the server listens.
    /// </summary>
    public static void OnePerCore()
    {
        if (Environment.GetEnvironmentVariable(CountVariable) is null)
        {
            Environment.SetEnvironmentVariable(CountVariable, Environment.ProcessorCount.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
    }
}
