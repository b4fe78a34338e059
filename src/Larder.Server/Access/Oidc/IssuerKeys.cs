using System.Collections.Concurrent;
using Larder.Server.Configuration;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;

namespace Larder.Server.Access.Oidc;

/// <summary>
/// One <see cref="ConfigurationManager{T}"/> per trusted issuer: its discovery document
/// (<c>ISSUER/.well-known/openid-configuration</c>) and key set, cached for <see cref="OidcOptions.KeyCacheDuration"/>.
/// An ID token signed with a key the cache lacks (the issuer rotated its keys) makes the caller ask for
/// <see cref="Renew"/>: a fresh manager that fetches both again, at most once per
/// <see cref="OidcOptions.KeyRefreshMinInterval"/> per issuer, so unknown key ids cannot make Larder hammer the issuer.
/// Issuers come from stored policies only, so the set stays small.
/// </summary>
public sealed class IssuerKeys(IOptions<LarderOptions> options, TimeProvider time) : IDisposable
{
    private readonly OidcOptions _options = options.Value.Oidc;
    private readonly HttpClient _http = new(new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(10) })
    {
        Timeout = TimeSpan.FromSeconds(20),
        MaxResponseContentBufferSize = 1 << 20,
    };
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    /// <summary>The configuration manager of <paramref name="issuer"/> (created on first use).</summary>
    public ConfigurationManager<OpenIdConnectConfiguration> For(string issuer) => _entries.GetOrAdd(issuer, Create).Manager;

    /// <summary>
    /// A manager that fetches <paramref name="issuer"/>'s keys again, replacing <paramref name="stale"/>; null when they
    /// were renewed less than <see cref="OidcOptions.KeyRefreshMinInterval"/> ago.
    /// </summary>
    public ConfigurationManager<OpenIdConnectConfiguration>? Renew(string issuer, ConfigurationManager<OpenIdConnectConfiguration> stale)
    {
        while (true)
        {
            var current = _entries.GetOrAdd(issuer, Create);
            if (!ReferenceEquals(current.Manager, stale))
            {
                return current.Manager;
            }
            if (current.RenewedAt is { } renewedAt && time.GetElapsedTime(renewedAt) < _options.KeyRefreshMinInterval)
            {
                return null;
            }
            var renewed = Create(issuer) with { RenewedAt = time.GetTimestamp() };
            if (_entries.TryUpdate(issuer, renewed, current))
            {
                return renewed.Manager;
            }
        }
    }

    private Entry Create(string issuer)
    {
        var discovery = issuer.TrimEnd('/') + "/.well-known/openid-configuration";
        var retriever = new HttpDocumentRetriever(_http) { RequireHttps = !_options.AllowHttpIssuers };
        var manager = new ConfigurationManager<OpenIdConnectConfiguration>(discovery, new OpenIdConnectConfigurationRetriever(), retriever)
        {
            AutomaticRefreshInterval = _options.KeyCacheDuration,
        };
        return new Entry(manager, null);
    }

    public void Dispose() => _http.Dispose();

    /// <param name="RenewedAt">When this manager replaced a stale one (a timestamp), null for the first.</param>
    private sealed record Entry(ConfigurationManager<OpenIdConnectConfiguration> Manager, long? RenewedAt);
}
