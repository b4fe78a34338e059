using Larder.Testing;
using Larder.Server.Configuration;

namespace Larder.Server.Tests.Configuration;

public sealed class ListenAddressTests
{
    [Theory]
    [InlineData("127.0.0.1:5180", "127.0.0.1", 5180)]
    [InlineData("0.0.0.0:80", "0.0.0.0", 80)]
    [InlineData("[::1]:8080", "::1", 8080)]
    [InlineData("localhost:5180", "localhost", 5180)]
    [InlineData("http://127.0.0.1:9000/", "127.0.0.1", 9000)]
    [InlineData("6000", "127.0.0.1", 6000)]
    [InlineData("127.0.0.1:0", "127.0.0.1", 0)]
    public void Valid_addresses_parse(string text, string host, int port) => Assert.Equal(new ListenAddress(host, port), ListenAddress.Parse(text));

    [Theory]
    [InlineData("", "empty")]
    [InlineData("127.0.0.1:", "not a port number")]
    [InlineData("127.0.0.1:70000", "not a port number")]
    [InlineData("127.0.0.1:http", "not a port number")]
    [InlineData(":5180", "host is missing")]
    [InlineData("example.com:5180", "not an IP address")]
    [InlineData("[::1", "IPv6")]
    public void Invalid_addresses_name_the_problem(string text, string reason)
    {
        var e = Assert.Throws<LarderConfigurationException>(() => ListenAddress.Parse(text));
        Assert.Contains(reason, e.Message, StringComparison.Ordinal);
        Assert.Contains("--listen", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_port_another_process_listens_on_is_refused_with_one_clear_line()
    {
        using var other = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        other.Start();
        var port = ((System.Net.IPEndPoint)other.LocalEndpoint).Port;

        var e = Assert.Throws<LarderConfigurationException>(() => new ListenAddress("127.0.0.1", port).EnsureFree());

        Assert.Equal($"cannot listen on 127.0.0.1:{port}: the address is already in use by another process", e.Message);
        Assert.Contains("--listen", e.Hint, StringComparison.Ordinal);
    }

    [Fact]
    public void A_free_port_and_port_zero_pass_and_stay_free()
    {
        var port = FreePort.Next();

        new ListenAddress("127.0.0.1", port).EnsureFree();
        new ListenAddress("127.0.0.1", 0).EnsureFree();

        using var after = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, port);
        after.Start();
    }
}
