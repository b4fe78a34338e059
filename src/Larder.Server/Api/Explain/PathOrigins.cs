namespace Larder.Server.Api.Explain;

/// <summary>The values of <c>PathStatusDto.Origin</c>: how a present path came into the cache.</summary>
public static class PathOrigins
{
    /// <summary>A client pushed it.</summary>
    public const string Push = "push";

    /// <summary>The cache fetched it through one of its upstream caches (read-through).</summary>
    public const string Upstream = "upstream";
}
