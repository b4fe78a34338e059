namespace Larder.Contracts.Oidc;

/// <summary><c>POST /api/v1/oidc/token</c>: an OpenID Connect ID token (a signed JWT) to exchange for a Larder token.</summary>
public sealed record OidcTokenRequest(string Token);
