namespace Larder.Server.Upstreams;

/// <summary>
/// A cache's read-through upstreams: binary cache URLs asked in order on a narinfo miss, the public keys
/// (<c>name:base64</c>) an upstream narinfo must be signed by (any of them, as Nix's <c>trusted-public-keys</c>), and
/// whether found paths are stored. No URLs: read-through is off.
/// </summary>
public sealed record CacheUpstreams(IReadOnlyList<string> Urls, IReadOnlyList<string> PublicKeys, UpstreamMode Mode)
{
    /// <summary>No upstreams.</summary>
    public static CacheUpstreams None { get; } = new([], [], UpstreamMode.Store);

    /// <summary>Whether narinfo misses are looked up upstream.</summary>
    public bool Enabled => Urls.Count > 0 && PublicKeys.Count > 0;

    /// <summary>The mode's name in the database, the API and the CLI: <c>store</c> or <c>proxy</c>.</summary>
    public static string ModeName(UpstreamMode mode) => mode == UpstreamMode.Proxy ? "proxy" : "store";

    /// <summary>The mode called <paramref name="name"/>, or null when it is neither <c>store</c> nor <c>proxy</c>.</summary>
    public static UpstreamMode? TryParseMode(string? name) => name switch
    {
        "store" => UpstreamMode.Store,
        "proxy" => UpstreamMode.Proxy,
        _ => null,
    };
}
