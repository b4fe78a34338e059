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
}
