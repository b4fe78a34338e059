using System.Text.RegularExpressions;
using Larder.Server.Configuration;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;

namespace Larder.Server.Access.Oidc;

/// <summary>
/// Checks an OpenID Connect ID token with <see cref="JsonWebTokenHandler"/>: the form of a signed JWT, an asymmetric
/// algorithm (never <c>none</c>, never HMAC, whose "secret" could be an issuer's public key), the signature against the
/// issuer's published keys (<see cref="IssuerKeys"/>; an unknown key id fetches them again, rate-bounded), <c>iss</c>,
/// <c>aud</c>, and <c>exp</c>/<c>nbf</c>/<c>iat</c> within <see cref="OidcOptions.ClockSkew"/>. Every refusal is an
/// <see cref="OidcRefusedException"/> naming the failed check, never quoting the token.
/// </summary>
public sealed partial class IdTokenValidator(IssuerKeys keys, IOptions<LarderOptions> options, TimeProvider time)
{
    /// <summary>Longest accepted ID token (real ones are 1 to 2 KiB).</summary>
    public const int MaxTokenLength = 16 * 1024;

    /// <summary>The signature algorithms accepted: RSA, RSA-PSS and ECDSA.</summary>
    public static readonly IReadOnlyList<string> AllowedAlgorithms =
        ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512"];

    private readonly OidcOptions _options = options.Value.Oidc;
    private readonly JsonWebTokenHandler _handler = new() { MaximumTokenSizeInBytes = MaxTokenLength };

    /// <summary>
    /// Reads <paramref name="rawToken"/> without trusting it, and checks its form and algorithm: what is needed to know
    /// which issuer's policies apply.
    /// </summary>
    public JsonWebToken Read(string rawToken)
    {
        if (string.IsNullOrWhiteSpace(rawToken) || rawToken.Length > MaxTokenLength || !_handler.CanReadToken(rawToken))
        {
            throw OidcRefusedException.Invalid("format", $"not a compact JWT (header.payload.signature) of at most {MaxTokenLength} characters");
        }
        JsonWebToken token;
        try
        {
            token = _handler.ReadJsonWebToken(rawToken);
        }
        catch (ArgumentException)
        {
            throw OidcRefusedException.Invalid("format", "its header or payload is not valid base64url JSON");
        }
        var algorithm = token.Alg;
        if (string.Equals(algorithm, "none", StringComparison.OrdinalIgnoreCase) || string.IsNullOrEmpty(algorithm))
        {
            throw OidcRefusedException.Invalid("algorithm", "unsigned tokens (alg 'none') are never accepted");
        }
        if (!AllowedAlgorithms.Contains(algorithm, StringComparer.Ordinal))
        {
            var shown = AlgorithmName().IsMatch(algorithm) ? $"'{algorithm}'" : "in its header";
            throw OidcRefusedException.Invalid(
                "algorithm", $"the algorithm {shown} is not accepted: only asymmetric signatures ({string.Join(", ", AllowedAlgorithms)}) are");
        }
        if (string.IsNullOrEmpty(token.Issuer))
        {
            throw OidcRefusedException.Invalid("issuer", "the token has no 'iss' claim");
        }
        return token;
    }

    /// <summary>Validates the token as issued by <paramref name="issuer"/> for one of <paramref name="audiences"/>.</summary>
    public async Task<JsonWebToken> ValidateAsync(string rawToken, string issuer, IReadOnlyCollection<string> audiences, CancellationToken cancellationToken)
    {
        if (IssuerUrl.Problem(issuer, _options.AllowHttpIssuers) is { } problem)
        {
            throw OidcRefusedException.Invalid("issuer", problem);
        }
        var manager = keys.For(issuer);
        var result = await ValidateWithAsync(rawToken, issuer, audiences, manager, cancellationToken).ConfigureAwait(false);
        if (result.Exception is SecurityTokenSignatureKeyNotFoundException && keys.Renew(issuer, manager) is { } renewed)
        {
            // The issuer may have rotated its keys.
            result = await ValidateWithAsync(rawToken, issuer, audiences, renewed, cancellationToken).ConfigureAwait(false);
        }
        if (!result.IsValid)
        {
            throw Describe(result.Exception);
        }
        var token = (JsonWebToken)result.SecurityToken;
        CheckIssuedAt(token);
        return token;
    }

    private async Task<TokenValidationResult> ValidateWithAsync(
        string rawToken,
        string issuer,
        IReadOnlyCollection<string> audiences,
        ConfigurationManager<OpenIdConnectConfiguration> manager,
        CancellationToken cancellationToken)
    {
        OpenIdConnectConfiguration configuration;
        try
        {
            configuration = await manager.GetConfigurationAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (InvalidOperationException)
        {
            throw OidcRefusedException.Invalid("issuer", "the issuer's discovery document or keys could not be fetched");
        }
        if (!string.Equals(configuration.Issuer, issuer, StringComparison.Ordinal))
        {
            throw OidcRefusedException.Invalid("issuer", "the issuer's discovery document names another issuer");
        }
        return await _handler.ValidateTokenAsync(rawToken, new TokenValidationParameters
        {
            ValidIssuer = issuer,
            ValidAudiences = audiences,
            IssuerSigningKeys = configuration.SigningKeys,
            ValidAlgorithms = AllowedAlgorithms,
            ClockSkew = _options.ClockSkew,
            RequireSignedTokens = true,
            RequireExpirationTime = true,
            RequireAudience = true,
            ValidateLifetime = true,
            ValidateIssuerSigningKey = true,
            TryAllIssuerSigningKeys = false,
        }).ConfigureAwait(false);
    }

    private void CheckIssuedAt(JsonWebToken token)
    {
        if (!token.TryGetPayloadValue<long>(JwtRegisteredClaimNames.Iat, out var issuedAt))
        {
            throw OidcRefusedException.Invalid("issued-at", "the token has no 'iat' claim");
        }
        if (DateTimeOffset.FromUnixTimeSeconds(issuedAt) > time.GetUtcNow() + _options.ClockSkew)
        {
            throw OidcRefusedException.Invalid("issued-at", "the token claims to be issued in the future ('iat')");
        }
    }

    private static OidcRefusedException Describe(Exception? failure) => failure switch
    {
        SecurityTokenSignatureKeyNotFoundException =>
            OidcRefusedException.Invalid("signing-key", "its key id ('kid') is not among the issuer's published keys, even after fetching them again"),
        SecurityTokenInvalidSignatureException => OidcRefusedException.Invalid("signature", "the signature does not verify with the issuer's key"),
        SecurityTokenInvalidAlgorithmException => OidcRefusedException.Invalid("algorithm", "the algorithm is not accepted"),
        SecurityTokenExpiredException => OidcRefusedException.Invalid("expiry", "the token has expired ('exp'); get a fresh one"),
        SecurityTokenNotYetValidException => OidcRefusedException.Invalid("not-before", "the token is not valid yet ('nbf')"),
        SecurityTokenNoExpirationException => OidcRefusedException.Invalid("expiry", "the token has no 'exp' claim"),
        SecurityTokenInvalidLifetimeException => OidcRefusedException.Invalid("expiry", "its 'nbf' is after its 'exp'"),
        SecurityTokenInvalidAudienceException =>
            OidcRefusedException.Invalid("audience", "its 'aud' is not the audience any trust policy of this issuer expects"),
        SecurityTokenInvalidIssuerException => OidcRefusedException.Invalid("issuer", "its 'iss' does not match the issuer's discovery document"),
        SecurityTokenMalformedException => OidcRefusedException.Invalid("format", "it is not a well-formed JWT"),
        _ => OidcRefusedException.Invalid("validation", "the token is not valid"),
    };

    [GeneratedRegex("^[A-Za-z0-9+-]{1,16}$", RegexOptions.CultureInvariant)]
    private static partial Regex AlgorithmName();
}
