using System.Net;
using System.Net.Sockets;

namespace Larder.Server.Tests.ScaleOut;

/// <summary>
/// A loopback TCP forwarder in front of a real service, for fault tests: it can cut every connection after a number
/// of bytes went upstream (the service "stops mid-upload"), keep resetting new connections while broken, stall (accept
/// and read but never answer: the service hangs), and <see cref="Restore"/> normal forwarding.
/// </summary>
public sealed class TcpFaultProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly string _targetHost;
    private readonly int _targetPort;
    private readonly List<Socket> _open = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _acceptLoop;
    private long _upstreamBytes;
    private long _cutAfter = long.MaxValue;
    private volatile bool _broken;
    private volatile bool _stalled;

    public TcpFaultProxy(Uri target)
    {
        _targetHost = target.Host;
        _targetPort = target.Port;
        _listener.Start();
        _acceptLoop = AcceptLoopAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary><c>http://127.0.0.1:PORT</c>.</summary>
    public string Url => $"http://127.0.0.1:{Port}";

    /// <summary>Bytes forwarded to the service so far.</summary>
    public long UpstreamBytes => Interlocked.Read(ref _upstreamBytes);

    /// <summary>Breaks (as <see cref="Break"/>) once <paramref name="bytes"/> more bytes have gone upstream.</summary>
    public void BreakAfterUpstreamBytes(long bytes) => Interlocked.Exchange(ref _cutAfter, UpstreamBytes + bytes);

    /// <summary>Resets every open connection and every new one until <see cref="Restore"/>.</summary>
    public void Break()
    {
        _broken = true;
        lock (_open)
        {
            foreach (var socket in _open)
            {
                Reset(socket);
            }
            _open.Clear();
        }
    }

    /// <summary>Keeps accepting connections and reading from them, but forwards nothing either way until <see cref="Restore"/>.</summary>
    public void Stall() => _stalled = true;

    /// <summary>Forwards normally again.</summary>
    public void Restore()
    {
        _stalled = false;
        Interlocked.Exchange(ref _cutAfter, long.MaxValue);
        _broken = false;
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        Break();
        try
        {
            await _acceptLoop;
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
        _stop.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var client = await _listener.AcceptSocketAsync(_stop.Token);
            if (_broken)
            {
                Reset(client);
                continue;
            }
            _ = ForwardAsync(client);
        }
    }

    private async Task ForwardAsync(Socket client)
    {
        var upstream = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await upstream.ConnectAsync(_targetHost, _targetPort);
        }
        catch (SocketException)
        {
            Reset(client);
            upstream.Dispose();
            return;
        }
        lock (_open)
        {
            _open.Add(client);
            _open.Add(upstream);
        }
        await Task.WhenAll(PumpAsync(client, upstream, countUpstream: true), PumpAsync(upstream, client, countUpstream: false));
        lock (_open)
        {
            _open.Remove(client);
            _open.Remove(upstream);
        }
        client.Dispose();
        upstream.Dispose();
    }

    private async Task PumpAsync(Socket from, Socket to, bool countUpstream)
    {
        var buffer = new byte[64 * 1024];
        try
        {
            while (true)
            {
                var n = await from.ReceiveAsync(buffer, SocketFlags.None);
                if (n == 0)
                {
                    to.Shutdown(SocketShutdown.Send);
                    return;
                }
                if (countUpstream && Interlocked.Add(ref _upstreamBytes, n) >= Interlocked.Read(ref _cutAfter))
                {
                    Break();
                    return;
                }
                if (_stalled)
                {
                    continue;
                }
                await to.SendAsync(buffer.AsMemory(0, n), SocketFlags.None);
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            Reset(from);
            Reset(to);
        }
    }

    private static void Reset(Socket socket)
    {
        try
        {
            socket.LingerState = new LingerOption(true, 0);
            socket.Close();
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
        }
    }
}
