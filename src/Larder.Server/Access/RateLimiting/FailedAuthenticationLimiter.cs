using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Larder.Server.Configuration;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace Larder.Server.Access.RateLimiting;

/// <summary>
/// A token bucket of failed authentications per client address (after <c>Larder:TrustedProxies</c> forwarding, so the
/// address is the real client's): see <see cref="FailedAuthenticationOptions"/>. Only failures are counted and limited;
/// a request whose token is valid never reaches this. IPv6 clients are grouped by their /64 network, which one host
/// usually holds whole.
/// </summary>
public sealed class FailedAuthenticationLimiter(IOptions<LarderOptions> options, TimeProvider time)
{
    /// <summary>Above this many tracked addresses, buckets that have refilled completely are dropped.</summary>
    private const int PruneThreshold = 10_000;

    private readonly FailedAuthenticationOptions _options = options.Value.FailedAuthentication;
    private readonly ConcurrentDictionary<string, Bucket> _buckets = new(StringComparer.Ordinal);

    /// <summary>
    /// Counts a failed authentication of the request's client. Returns normally while the address is within its
    /// allowance (the caller then reports the failure itself); throws <see cref="TooManyFailuresException"/> beyond it.
    /// </summary>
    public void CountFailure(HttpContext http)
    {
        ArgumentNullException.ThrowIfNull(http);
        if (TryTake(ClientKey(http.Connection.RemoteIpAddress)) is { } retryAfter)
        {
            throw new TooManyFailuresException(retryAfter);
        }
    }

    /// <summary>Takes one failure from the address's bucket: null when allowed, else how long until one is.</summary>
    internal TimeSpan? TryTake(string key)
    {
        var now = time.GetTimestamp();
        if (_buckets.Count > PruneThreshold)
        {
            Prune(now);
        }
        var bucket = _buckets.GetOrAdd(key, _ => new Bucket(_options.Burst, now));
        lock (bucket)
        {
            bucket.Refill(now, _options.Burst, _options.RefillInterval, time);
            if (bucket.Available >= 1)
            {
                bucket.Available -= 1;
                return null;
            }
            return (1 - bucket.Available) * _options.RefillInterval;
        }
    }

    /// <summary>The bucket key: the IPv4 address, or the /64 network of an IPv6 one.</summary>
    internal static string ClientKey(IPAddress? address)
    {
        if (address is null)
        {
            return "unknown";
        }
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }
        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return address.ToString();
        }
        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out _);
        bytes[8..].Clear();
        return new IPAddress(bytes).ToString() + "/64";
    }

    private void Prune(long now)
    {
        foreach (var (key, bucket) in _buckets)
        {
            lock (bucket)
            {
                bucket.Refill(now, _options.Burst, _options.RefillInterval, time);
                if (bucket.Available >= _options.Burst)
                {
                    _buckets.TryRemove(key, out _);
                }
            }
        }
    }

    private sealed class Bucket(double available, long updatedAt)
    {
        public double Available { get; set; } = available;

        private long _updatedAt = updatedAt;

        public void Refill(long now, int burst, TimeSpan interval, TimeProvider time)
        {
            var elapsed = time.GetElapsedTime(_updatedAt, now);
            _updatedAt = now;
            Available = Math.Min(burst, Available + (elapsed / interval));
        }
    }
}
