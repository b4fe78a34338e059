namespace Larder.Cli.Config;

/// <summary>A server to talk to: its name in the config (or the URL itself), base URL and token.</summary>
public sealed record ServerTarget(string Name, Uri BaseUrl, string? Token);

/// <summary>A cache on a server, as named by a <c>CACHE</c> or <c>SERVER:CACHE</c> argument.</summary>
public sealed record CacheTarget(ServerTarget Server, string Cache)
{
    /// <summary>The cache's binary cache URL, as Nix's <c>substituters</c> wants it.</summary>
    public Uri CacheUrl => new(Server.BaseUrl, Uri.EscapeDataString(Cache));
}
