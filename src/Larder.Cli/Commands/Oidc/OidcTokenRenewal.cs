using System.Net.Http.Headers;
using Larder.Cli.Client;
using Larder.Cli.Config;

namespace Larder.Cli.Commands.Oidc;

/// <summary>
/// Keeps a token from <c>larder login --oidc</c> alive during a long run (a push): shortly before it expires, gets a
/// fresh ID token from the same source, exchanges it, sends the new token from then on, and saves it in the config.
/// When the source is gone (the CI job's token service is not there any more), the old token is kept and the server
/// decides. Wraps the client's HTTP handler, so callers change nothing.
/// </summary>
internal sealed class OidcTokenRenewal : DelegatingHandler
{
    /// <summary>How long before expiry a token is renewed: more than one request of a push takes.</summary>
    public static readonly TimeSpan Margin = TimeSpan.FromMinutes(5);

    private readonly ServerTarget _server;
    private readonly OidcLoginEntry _login;
    private readonly IdTokenSource _source;
    private readonly ConfigStore _store;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _renewing = new(1, 1);
    private string _token;
    private DateTimeOffset _expiresAt;

    private OidcTokenRenewal(ServerTarget server, ServerEntry entry, ConfigStore store, TimeProvider time)
        : base(LarderClient.CreateDefaultHandler())
    {
        _server = server;
        _login = entry.Oidc!;
        _source = new IdTokenSource(_login.TokenFile);
        _store = store;
        _time = time;
        _token = entry.Token!;
        _expiresAt = entry.TokenExpiresAt!.Value;
    }

    /// <summary>
    /// The renewing handler for <paramref name="server"/> when its config entry came from <c>larder login --oidc</c> and
    /// its token is the one sent (not overridden by <c>LARDER_TOKEN</c>); null otherwise.
    /// </summary>
    public static OidcTokenRenewal? For(ServerTarget server, CliConfig config, ConfigStore store, TimeProvider time) =>
        config.Servers.TryGetValue(server.Name, out var entry)
        && entry is { Oidc: not null, TokenExpiresAt: not null, Token: not null }
        && entry.Token == server.Token
            ? new OidcTokenRenewal(server, entry, store, time)
            : null;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (_expiresAt - _time.GetUtcNow() < Margin && _source.IsAvailable)
        {
            await RenewAsync(cancellationToken).ConfigureAwait(false);
        }
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Volatile.Read(ref _token));
        return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
    }

    private async Task RenewAsync(CancellationToken cancellationToken)
    {
        await _renewing.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_expiresAt - _time.GetUtcNow() >= Margin)
            {
                return;
            }
            var idToken = await _source.GetAsync(_login.Audience, cancellationToken).ConfigureAwait(false);
            using var exchanger = new LarderClient(_server with { Token = null }, maxRetries: 2);
            var issued = await exchanger.ExchangeOidcTokenAsync(idToken, cancellationToken).ConfigureAwait(false);
            Volatile.Write(ref _token, issued.Secret);
            _expiresAt = issued.ExpiresAt;
            Save(issued.Secret, issued.ExpiresAt);
            Console.Error.WriteLine($"renewed the OIDC token for {_server.Name}: it expires at {issued.ExpiresAt:u}");
        }
        finally
        {
            _renewing.Release();
        }
    }

    private void Save(string token, DateTimeOffset expiresAt)
    {
        var config = _store.Load();
        if (config.Servers.TryGetValue(_server.Name, out var entry) && entry.Oidc is not null)
        {
            entry.Token = token;
            entry.TokenExpiresAt = expiresAt;
            _store.Save(config);
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _renewing.Dispose();
        }
        base.Dispose(disposing);
    }
}
