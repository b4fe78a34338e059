using Larder.Cli.Client;
using Larder.Cli.Config;

namespace Larder.Cli.Commands.Explain;

/// <summary>
/// The sources to ask, substituters first in nix.conf order: a substituter under the URL of a server in the
/// <c>larder login</c> config (or of <c>LARDER_SERVER</c>) is asked as a Larder cache (one batched request), any other http(s):// or file://
/// substituter by narinfo; then each <c>--cache</c> that is not a substituter already.
/// </summary>
internal sealed class ExplainSources : IDisposable
{
    private readonly List<LarderClient> _clients = [];
    private readonly HttpClient _http = NarInfoSource.CreateHttpClient();

    /// <summary>The sources, substituters first.</summary>
    public List<PathSource> Sources { get; } = [];

    /// <summary>Substituters that cannot be asked (such as <c>ssh://</c>), with why.</summary>
    public List<SourceReport> Skipped { get; } = [];

    public static ExplainSources Create(NixSettings settings, IReadOnlyList<string> cacheArguments)
    {
        var sources = new ExplainSources();
        var store = CliEnvironment.Store();
        var config = store.Load();
        var resolver = new ServerResolver(config);
        foreach (var url in settings.Substituters)
        {
            if (LarderCacheOf(url, config) is { } larder)
            {
                sources.Sources.Add(sources.LarderSource(resolver.ResolveServer(larder.Server), larder.Cache, url, isSubstituter: true));
            }
            else if (NarInfoSource.Supports(url))
            {
                sources.Sources.Add(new NarInfoSource(url, sources._http) { IsSubstituter = true });
            }
            else
            {
                sources.Skipped.Add(new SourceReport(url, url, true, false, "not asked: only http(s):// and file:// substituters can be"));
            }
        }
        foreach (var argument in cacheArguments)
        {
            var target = resolver.ResolveCache(argument);
            var url = NixSettings.WithoutQuery(target.CacheUrl.ToString());
            if (!sources.Sources.Any(s => s.Url == url))
            {
                sources.Sources.Add(sources.LarderSource(target.Server, target.Cache, url, isSubstituter: false));
            }
        }
        return sources;
    }

    private LarderCacheSource LarderSource(ServerTarget server, string cache, string url, bool isSubstituter)
    {
        var client = new LarderClient(server);
        _clients.Add(client);
        return new LarderCacheSource(client, cache, url) { IsSubstituter = isSubstituter };
    }

    /// <summary>The server (logged in, or the URL in <c>LARDER_SERVER</c>) and cache a substituter URL names, or null.</summary>
    private static (string Server, string Cache)? LarderCacheOf(string url, CliConfig config)
    {
        var servers = config.Servers.Select(s => (Name: s.Key, s.Value.Url));
        if (Environment.GetEnvironmentVariable("LARDER_SERVER") is { } fromEnvironment && fromEnvironment.Contains("://", StringComparison.Ordinal))
        {
            servers = servers.Append((fromEnvironment, fromEnvironment));
        }
        foreach (var (name, serverUrl) in servers)
        {
            var baseUrl = serverUrl.TrimEnd('/') + "/";
            if (url.StartsWith(baseUrl, StringComparison.OrdinalIgnoreCase) && url[baseUrl.Length..] is { Length: > 0 } cache && !cache.Contains('/'))
            {
                return (name, Uri.UnescapeDataString(cache));
            }
        }
        return null;
    }

    public void Dispose()
    {
        foreach (var client in _clients)
        {
            client.Dispose();
        }
        _http.Dispose();
    }
}
