using Larder.Contracts;
using Larder.Contracts.Tokens;

namespace Larder.Cli.Client;

public sealed partial class LarderClient
{
    /// <summary><c>GET /api/v1/tokens</c>.</summary>
    public Task<IReadOnlyList<TokenDto>> ListTokensAsync(CancellationToken cancellationToken) =>
        SendJsonAsync(() => new HttpRequestMessage(HttpMethod.Get, "api/v1/tokens"), LarderJsonContext.Default.IReadOnlyListTokenDto,
            new Operation("list tokens", "admin", "*"), cancellationToken);

    /// <summary><c>POST /api/v1/tokens</c>: the answer carries the secret, shown only this once.</summary>
    public Task<CreatedTokenDto> CreateTokenAsync(CreateTokenRequest request, CancellationToken cancellationToken) =>
        SendJsonAsync(() => Json(HttpMethod.Post, "api/v1/tokens", request, LarderJsonContext.Default.CreateTokenRequest),
            LarderJsonContext.Default.CreatedTokenDto, new Operation("create a token", "admin", "*"), cancellationToken);

    /// <summary><c>DELETE /api/v1/tokens/{id}</c>: revokes the token at once.</summary>
    public Task RevokeTokenAsync(long id, CancellationToken cancellationToken) =>
        SendNoContentAsync(() => new HttpRequestMessage(HttpMethod.Delete, $"api/v1/tokens/{id}"),
            new Operation($"revoke token {id}", "admin", "*", "list the tokens with `larder token list`"), cancellationToken);

    /// <summary><c>GET /api/v1/whoami</c>: the calling token.</summary>
    public Task<WhoAmIDto> WhoAmIAsync(CancellationToken cancellationToken) =>
        SendJsonAsync(() => new HttpRequestMessage(HttpMethod.Get, "api/v1/whoami"), LarderJsonContext.Default.WhoAmIDto,
            new Operation("check the token"), cancellationToken);
}
