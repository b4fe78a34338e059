using Larder.Contracts.Oidc;

namespace Larder.Cli.Client;

public sealed partial class LarderClient
{
    /// <summary><c>GET /api/v1/oidc/policies</c>.</summary>
    public Task<IReadOnlyList<OidcPolicyDto>> ListOidcPoliciesAsync(CancellationToken cancellationToken) =>
        SendJsonAsync(() => new HttpRequestMessage(HttpMethod.Get, "api/v1/oidc/policies"), OidcJsonContext.Default.IReadOnlyListOidcPolicyDto,
            new Operation("list OIDC policies", "admin", "*"), cancellationToken);

    /// <summary><c>POST /api/v1/oidc/policies</c>.</summary>
    public Task<OidcPolicyDto> CreateOidcPolicyAsync(CreateOidcPolicyRequest request, CancellationToken cancellationToken) =>
        SendJsonAsync(() => Json(HttpMethod.Post, "api/v1/oidc/policies", request, OidcJsonContext.Default.CreateOidcPolicyRequest),
            OidcJsonContext.Default.OidcPolicyDto, new Operation($"create OIDC policy '{request.Name}'", "admin", "*"), cancellationToken);

    /// <summary><c>DELETE /api/v1/oidc/policies/{name}</c>.</summary>
    public Task DeleteOidcPolicyAsync(string name, CancellationToken cancellationToken) =>
        SendNoContentAsync(() => new HttpRequestMessage(HttpMethod.Delete, $"api/v1/oidc/policies/{Uri.EscapeDataString(name)}"),
            new Operation($"delete OIDC policy '{name}'", "admin", "*", "list the policies with `larder oidc policy list`"), cancellationToken);

    /// <summary><c>POST /api/v1/oidc/token</c>: exchanges an ID token for a short-lived Larder token.</summary>
    public Task<OidcTokenDto> ExchangeOidcTokenAsync(string idToken, CancellationToken cancellationToken) =>
        SendJsonAsync(() => Json(HttpMethod.Post, "api/v1/oidc/token", new OidcTokenRequest(idToken), OidcJsonContext.Default.OidcTokenRequest),
            OidcJsonContext.Default.OidcTokenDto, new Operation("exchange the OIDC ID token"), cancellationToken);

    /// <summary><c>GET /api/v1/tokens/events</c>: the token event log, newest first (of one token when given).</summary>
    public Task<IReadOnlyList<TokenEventDto>> ListTokenEventsAsync(long? tokenId, int limit, CancellationToken cancellationToken) =>
        SendJsonAsync(
            () => new HttpRequestMessage(HttpMethod.Get, tokenId is { } id ? $"api/v1/tokens/events?limit={limit}&token={id}" : $"api/v1/tokens/events?limit={limit}"),
            OidcJsonContext.Default.IReadOnlyListTokenEventDto, new Operation("read the token event log", "admin", "*"), cancellationToken);
}
