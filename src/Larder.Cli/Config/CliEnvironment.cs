using Larder.Cli.Client;

namespace Larder.Cli.Config;

/// <summary>What every client command starts from: the config file, the resolver over it, and clients.</summary>
internal static class CliEnvironment
{
    /// <summary>The config store (honours <c>LARDER_CONFIG</c>).</summary>
    public static ConfigStore Store() => ConfigStore.Default();

    /// <summary>A resolver over the current config and environment.</summary>
    public static ServerResolver Resolver() => new(Store().Load());

    /// <summary>Resolves <paramref name="cacheArgument"/> and opens a client for its server.</summary>
    public static (CacheTarget Target, LarderClient Client) OpenCache(string cacheArgument)
    {
        var target = Resolver().ResolveCache(cacheArgument);
        return (target, new LarderClient(target.Server));
    }

    /// <summary>Opens a client for the named server (or the default one).</summary>
    public static LarderClient OpenServer(string? serverName) => new(Resolver().ResolveServer(serverName));
}
