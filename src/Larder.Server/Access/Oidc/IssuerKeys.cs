using System.Collections.Concurrent;
using Larder.Server.Configuration;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;

namespace Larder.Server.Access.Oidc;

/// <summary>
/// One <see cref="ConfigurationManager{T}"/> per trusted issuer: its discovery document
/// (<c>ISSUER/.well-known/openid-configuration</c>) and key set, cached for <see cref="OidcOptions.KeyCacheDuration"/>
/// and fetched again on an unknown key id at most once per <see cref="OidcOptions.KeyRefreshMinInterval"/> (the
/// library's own rate bound). Issuers come from stored policies only, so the set stays small.
/// </summary>
public sealed class IssuerKeys : IDisposable
{
    private readonly OidcOptions _options;
    private readonly HttpClient _http;
    private readonly ConcurrentDictionary<string, ConfigurationManager<OpenIdConnectConfiguration>> _managers = new(StringComparer.Ordinal);

    /// <summary>Creates the cache; <paramref name="handler"/> replaces the HTTP handler (tests).</summary>
    public IssuerKeys(IOptions<LarderOptions> options, HttpMessageHandler? handler = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value.Oidc;
        _http = new HttpClient(handler ?? new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(10) })
        {
            Timeout = TimeSpan.FromSeconds(20),
            MaxResponseContentBufferSize = 1 << 20,
        };
    }

    /// <summary>The configuration manager of <paramref name="issuer"/> (created on first use).</summary>
    public ConfigurationManager<OpenIdConnectConfiguration> For(string issuer) => _managers.GetOrAdd(issuer, Create);

    private ConfigurationManager<OpenIdConnectConfiguration> Create(string issuer)
    {
        var discovery = issuer.TrimEnd('/') + "/.well-known/openid-configuration";
        var retriever = new HttpDocumentRetriever(_http) { RequireHttps = !_options.AllowHttpIssuers };
        return new ConfigurationManager<OpenIdConnectConfiguration>(discovery, new OpenIdConnectConfigurationRetriever(), retriever)
        {
            AutomaticRefreshInterval = _options.KeyCacheDuration,
            RefreshInterval = _options.KeyRefreshMinInterval,
        };
    }

    public void Dispose() => _http.Dispose();
}
