using Larder.Cli.Infrastructure;

namespace Larder.Cli.Config;

/// <summary>
/// Turns command-line names into servers: <c>SERVER:CACHE</c> or <c>CACHE</c> (default server). The environment
/// overrides the file for CI: <c>LARDER_SERVER</c> picks a server by name (or gives a URL), <c>LARDER_TOKEN</c> the token.
/// </summary>
public sealed class ServerResolver(CliConfig config, Func<string, string?> getEnvironment)
{
    /// <summary>A resolver over the given config and the process environment.</summary>
    public ServerResolver(CliConfig config) : this(config, Environment.GetEnvironmentVariable) { }

    /// <summary>The config this resolver reads.</summary>
    public CliConfig Config { get; } = config;

    /// <summary>Resolves a <c>CACHE</c> or <c>SERVER:CACHE</c> argument.</summary>
    public CacheTarget ResolveCache(string argument)
    {
        if (string.IsNullOrWhiteSpace(argument))
        {
            throw new CliException("the cache name is empty");
        }
        var colon = argument.IndexOf(':', StringComparison.Ordinal);
        if (colon >= 0)
        {
            var serverName = argument[..colon];
            var cache = argument[(colon + 1)..];
            if (serverName.Length == 0 || cache.Length == 0)
            {
                throw new CliException($"'{argument}' is not CACHE or SERVER:CACHE");
            }
            return new CacheTarget(ResolveServer(serverName), cache);
        }
        return new CacheTarget(ResolveServer(null), argument);
    }

    /// <summary>
    /// The named server, or (for null) <c>$LARDER_SERVER</c>, else the config's default server.
    /// </summary>
    public ServerTarget ResolveServer(string? name)
    {
        name ??= NonEmpty(getEnvironment("LARDER_SERVER")) ?? Config.DefaultServer;
        if (name is null)
        {
            throw new CliException(
                "no server is configured",
                "run `larder login NAME URL [TOKEN]` first, or set LARDER_SERVER to a server URL");
        }
        var tokenOverride = NonEmpty(getEnvironment("LARDER_TOKEN"));
        if (Config.Servers.TryGetValue(name, out var entry))
        {
            return new ServerTarget(name, ParseServerUrl(entry.Url), tokenOverride ?? NonEmpty(entry.Token));
        }
        if (name.StartsWith("http://", StringComparison.OrdinalIgnoreCase) ||
            name.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
        {
            return new ServerTarget(name, ParseServerUrl(name), tokenOverride);
        }
        var known = Config.Servers.Count == 0 ? "none" : string.Join(", ", Config.Servers.Keys);
        throw new CliException($"unknown server '{name}' (known servers: {known})", "log in with `larder login NAME URL`");
    }

    /// <summary>Validates a server URL (http or https, no query) and normalizes it to end with a slash.</summary>
    public static Uri ParseServerUrl(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            throw new CliException($"'{url}' is not an http:// or https:// URL");
        }
        if (!string.IsNullOrEmpty(uri.Query) || !string.IsNullOrEmpty(uri.Fragment))
        {
            throw new CliException($"the server URL '{url}' must not have a query or fragment");
        }
        return uri.AbsolutePath.EndsWith('/') ? uri : new Uri(uri.AbsoluteUri + "/");
    }

    private static string? NonEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
