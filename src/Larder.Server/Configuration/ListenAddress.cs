using System.Globalization;
using System.Net;

namespace Larder.Server.Configuration;

/// <summary>A parsed <c>Larder:Listen</c> value: <c>HOST:PORT</c>, <c>[IPv6]:PORT</c>, or a bare <c>PORT</c> (loopback).</summary>
public sealed record ListenAddress(string Host, int Port)
{
    /// <summary>Parses <paramref name="text"/>; throws <see cref="LarderConfigurationException"/> naming the problem.</summary>
    public static ListenAddress Parse(string? text)
    {
        var value = text?.Trim() ?? "";
        if (value.StartsWith("http://", StringComparison.OrdinalIgnoreCase))
        {
            value = value["http://".Length..].TrimEnd('/');
        }
        if (value.Length == 0)
        {
            throw Invalid(text, "it is empty");
        }
        string host;
        string portText;
        if (value.StartsWith('['))
        {
            var close = value.IndexOf(']', StringComparison.Ordinal);
            if (close < 0 || close + 1 >= value.Length || value[close + 1] != ':')
            {
                throw Invalid(text, "an IPv6 address must look like [::1]:5180");
            }
            host = value[1..close];
            portText = value[(close + 2)..];
        }
        else if (value.Contains(':', StringComparison.Ordinal))
        {
            var colon = value.LastIndexOf(':');
            host = value[..colon];
            portText = value[(colon + 1)..];
        }
        else
        {
            host = "127.0.0.1";
            portText = value;
        }
        if (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port > 65535)
        {
            throw Invalid(text, $"'{portText}' is not a port number (0-65535)");
        }
        if (host.Length == 0)
        {
            throw Invalid(text, "the host is missing (use 0.0.0.0 for every interface)");
        }
        if (host != "localhost" && !IPAddress.TryParse(host, out _))
        {
            throw Invalid(text, $"'{host}' is not an IP address or 'localhost'");
        }
        return new ListenAddress(host, port);
    }

    /// <summary>The address to bind, or null for <c>localhost</c> (both loopbacks).</summary>
    public IPAddress? IPAddress => Host == "localhost" ? null : IPAddress.Parse(Host);

    /// <summary>
    /// Throws <see cref="LarderConfigurationException"/> when another process already listens on this address, so
    /// start-up fails with one clear line instead of the web host's logged stack trace. Port 0 is always free.
    /// </summary>
    public void EnsureFree()
    {
        if (Port == 0)
        {
            return;
        }
        var address = IPAddress ?? IPAddress.Loopback;
        using var probe = new System.Net.Sockets.Socket(address.AddressFamily, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
        try
        {
            probe.Bind(new IPEndPoint(address, Port));
            probe.Listen(1);
        }
        catch (System.Net.Sockets.SocketException e) when (e.SocketErrorCode == System.Net.Sockets.SocketError.AddressAlreadyInUse)
        {
            throw new LarderConfigurationException(
                $"cannot listen on {this}: the address is already in use by another process",
                hint: "stop the other process, or choose another address with --listen HOST:PORT");
        }
        catch (System.Net.Sockets.SocketException e)
        {
            throw new LarderConfigurationException($"cannot listen on {this}: {e.Message}", hint: "choose another address with --listen HOST:PORT");
        }
    }

    public override string ToString() => Host.Contains(':', StringComparison.Ordinal) ? $"[{Host}]:{Port}" : $"{Host}:{Port}";

    private static LarderConfigurationException Invalid(string? text, string reason) =>
        new($"invalid listen address '{text}' (Larder:Listen / --listen): {reason}; expected HOST:PORT such as 127.0.0.1:5180");
}
