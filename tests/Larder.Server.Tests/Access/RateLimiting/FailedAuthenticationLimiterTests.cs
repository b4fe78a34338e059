using System.Net;
using Larder.Server.Access.RateLimiting;
using Larder.Server.Configuration;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Larder.Server.Tests.Access.RateLimiting;

public sealed class FailedAuthenticationLimiterTests
{
    private static (FailedAuthenticationLimiter Limiter, FakeTimeProvider Time) Create(int burst, TimeSpan refill)
    {
        var time = new FakeTimeProvider();
        var options = new LarderOptions { FailedAuthentication = { Burst = burst, RefillInterval = refill } };
        return (new FailedAuthenticationLimiter(Options.Create(options), time), time);
    }

    [Fact]
    public void A_burst_is_allowed_then_one_failure_per_refill_interval()
    {
        var (limiter, time) = Create(burst: 2, refill: TimeSpan.FromSeconds(10));

        Assert.Null(limiter.TryTake("10.0.0.1"));
        Assert.Null(limiter.TryTake("10.0.0.1"));
        Assert.Equal(TimeSpan.FromSeconds(10), limiter.TryTake("10.0.0.1"));
        time.Advance(TimeSpan.FromSeconds(4));
        Assert.Equal(TimeSpan.FromSeconds(6), limiter.TryTake("10.0.0.1"));
        time.Advance(TimeSpan.FromSeconds(6));
        Assert.Null(limiter.TryTake("10.0.0.1"));
        Assert.NotNull(limiter.TryTake("10.0.0.1"));
    }

    [Fact]
    public void Addresses_have_separate_allowances()
    {
        var (limiter, _) = Create(burst: 1, refill: TimeSpan.FromMinutes(1));

        Assert.Null(limiter.TryTake("10.0.0.1"));
        Assert.NotNull(limiter.TryTake("10.0.0.1"));
        Assert.Null(limiter.TryTake("10.0.0.2"));
    }

    [Theory]
    [InlineData("192.0.2.7", "192.0.2.7")]
    [InlineData("::ffff:192.0.2.7", "192.0.2.7")]
    [InlineData("2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1:2::/64")]
    [InlineData("2001:db8:1:2::1", "2001:db8:1:2::/64")]
    public void IPv6_clients_share_the_allowance_of_their_64_network(string address, string key) =>
        Assert.Equal(key, FailedAuthenticationLimiter.ClientKey(IPAddress.Parse(address)));
}
