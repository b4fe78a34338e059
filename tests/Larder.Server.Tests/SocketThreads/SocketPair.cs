using System.Net;
using System.Net.Sockets;

namespace Larder.Server.Tests.SocketThreads;

/// <summary>Two connected loopback TCP sockets.</summary>
internal sealed class SocketPair(Socket server, Socket client) : IDisposable
{
    public Socket Server => server;

    public Socket Client => client;

    public static async Task<SocketPair> ConnectAsync()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen();
        var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        var accept = listener.AcceptAsync();
        await client.ConnectAsync(listener.LocalEndPoint!);
        return new SocketPair(await accept, client);
    }

    public void Dispose()
    {
        server.Dispose();
        client.Dispose();
    }
}
