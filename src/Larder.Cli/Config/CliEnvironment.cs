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
        var store = Store();
        var config = store.Load();
        var target = new ServerResolver(config).ResolveCache(cacheArgument);
        return (target, Open(target.Server, config, store));
    }

    /// <summary>Opens a client for the named server (or the default one).</summary>
    public static LarderClient OpenServer(string? serverName)
    {
        var store = Store();
        var config = store.Load();
        return Open(new ServerResolver(config).ResolveServer(serverName), config, store);
    }

    /// <summary>A client for <paramref name="server"/>; one logged in with <c>--oidc</c> renews its token before it expires.</summary>
    private static LarderClient Open(ServerTarget server, CliConfig config, ConfigStore store) =>
        Commands.Oidc.OidcTokenRenewal.For(server, config, store, TimeProvider.System) is { } renewal
            ? new LarderClient(server, handler: renewal)
            : new LarderClient(server);
}
