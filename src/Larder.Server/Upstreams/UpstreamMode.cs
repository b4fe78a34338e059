namespace Larder.Server.Upstreams;

/// <summary>What a cache does with a path it finds in an upstream.</summary>
public enum UpstreamMode
{
    /// <summary>Streams the NAR to the client while storing it, so the next client is served locally.</summary>
    Store,

    /// <summary>Streams the NAR to the client and stores nothing.</summary>
    Proxy,
}
