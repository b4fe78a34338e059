using Larder.Server.Configuration;

namespace Larder.Server.Upstreams;

/// <summary>The <c>Larder:Upstreams</c> section: how read-through caches talk to their upstreams.</summary>
public sealed class UpstreamOptions
{
    /// <summary>
    /// The longest a client waits on upstreams: for a narinfo (all upstreams together), for a NAR's first byte, and
    /// between two reads of a NAR (default 5 seconds). Past it the client gets a 404 (or a cut NAR) and nothing is cached.
    /// </summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long an upstream's "not here" answer is remembered (default 1 minute; 0: never).</summary>
    public TimeSpan NegativeTtl { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How long a narinfo found upstream is remembered, so its NAR request needs no second lookup (default 5 minutes).</summary>
    public TimeSpan PositiveTtl { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Throws <see cref="LarderConfigurationException"/> naming the first invalid key.</summary>
    public void Validate()
    {
        if (Timeout <= TimeSpan.Zero || Timeout > TimeSpan.FromMinutes(10))
        {
            throw new LarderConfigurationException($"Larder:Upstreams:Timeout must be a positive duration of at most 10 minutes such as 00:00:05, not {Timeout}");
        }
        if (NegativeTtl < TimeSpan.Zero)
        {
            throw new LarderConfigurationException($"Larder:Upstreams:NegativeTtl must not be negative, not {NegativeTtl}");
        }
        if (PositiveTtl < TimeSpan.Zero)
        {
            throw new LarderConfigurationException($"Larder:Upstreams:PositiveTtl must not be negative, not {PositiveTtl}");
        }
    }
}
