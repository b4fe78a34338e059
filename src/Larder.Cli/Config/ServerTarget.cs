namespace Larder.Cli.Config;

/// <summary>A server to talk to: its name in the config (or the URL itself), base URL and token.</summary>
public sealed record ServerTarget(string Name, Uri BaseUrl, string? Token)
{
    /// <summary>How to give this server a token: a named server is logged in by its name; a URL (LARDER_SERVER) needs a name chosen.</summary>
    public string LoginHint()
    {
        var name = Name.Contains("://", StringComparison.Ordinal) ? "NAME" : Name;
        return $"log in with `larder login {name} {BaseUrl.ToString().TrimEnd('/')} TOKEN` (or `--stdin`), or set LARDER_TOKEN";
    }
}

/// <summary>A cache on a server, as named by a <c>CACHE</c> or <c>SERVER:CACHE</c> argument.</summary>
public sealed record CacheTarget(ServerTarget Server, string Cache)
{
    /// <summary>The cache's binary cache URL, as Nix's <c>substituters</c> wants it.</summary>
    public Uri CacheUrl => new(Server.BaseUrl, Uri.EscapeDataString(Cache));
}
