using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Larder.Testing.Oidc;

/// <summary>
/// A real OpenID Connect issuer on 127.0.0.1 (Kestrel): its discovery document, its key set (RSA and EC keys made by
/// the test, rotatable), ID tokens signed as a real issuer signs them, the malformed ones an attacker would send, and a
/// GitHub Actions style token request endpoint (<see cref="ActionsRequestUrl"/>, bearer <see cref="ActionsRequestToken"/>).
/// </summary>
public sealed class TestOidcIssuer : IAsyncDisposable
{
    /// <summary>The bearer token the GitHub Actions style endpoint wants.</summary>
    public const string ActionsRequestToken = "actions-request-token";

    private readonly WebApplication _app;
    private readonly List<SigningKey> _published = [];
    private readonly Lock _lock = new();
    private int _keyFetches;

    private TestOidcIssuer(WebApplication app, string issuer)
    {
        _app = app;
        Issuer = issuer;
    }

    /// <summary><c>http://127.0.0.1:PORT</c>: the <c>iss</c> of its tokens.</summary>
    public string Issuer { get; }

    /// <summary>The URL of the GitHub Actions style token endpoint (as <c>ACTIONS_ID_TOKEN_REQUEST_URL</c>).</summary>
    public string ActionsRequestUrl => $"{Issuer}/actions/token?api-version=2.0";

    /// <summary>The key new tokens are signed with.</summary>
    public SigningKey Current { get; private set; } = SigningKey.Rsa();

    /// <summary>How often the key set was fetched.</summary>
    public int KeyFetches => Volatile.Read(ref _keyFetches);

    /// <summary>The default claims of <see cref="Sign"/>: a push from acme/app's main branch.</summary>
    public static Dictionary<string, object> GitHubClaims(string repository = "acme/app", string gitRef = "refs/heads/main") => new()
    {
        ["sub"] = $"repo:{repository}:ref:{gitRef}",
        ["repository"] = repository,
        ["ref"] = gitRef,
        ["repository_owner"] = repository.Split('/')[0],
    };

    /// <summary>Starts an issuer publishing one RSA key.</summary>
    public static async Task<TestOidcIssuer> StartAsync()
    {
        var port = FreePort.Next();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        var app = builder.Build();
        var issuer = new TestOidcIssuer(app, $"http://127.0.0.1:{port}");
        issuer._published.Add(issuer.Current);
        app.MapGet("/.well-known/openid-configuration", issuer.Discovery);
        app.MapGet("/jwks", issuer.KeySet);
        app.MapGet("/actions/token", issuer.ActionsToken);
        await app.StartAsync();
        return issuer;
    }

    /// <summary>Publishes a new key (RSA, or EC P-256 with <paramref name="ec"/>) and signs with it from now on; the old keys stay published.</summary>
    public SigningKey Rotate(bool ec = false)
    {
        var key = ec ? SigningKey.EcP256() : SigningKey.Rsa();
        lock (_lock)
        {
            _published.Add(key);
        }
        Current = key;
        return key;
    }

    /// <summary>
    /// A signed ID token for <paramref name="audience"/> with <paramref name="claims"/> (default <see cref="GitHubClaims"/>),
    /// issued now and valid for <paramref name="lifetime"/> (default 5 minutes); every part can be overridden.
    /// </summary>
    public string Sign(
        string audience,
        IDictionary<string, object>? claims = null,
        TimeSpan? lifetime = null,
        DateTime? notBefore = null,
        DateTime? issuedAt = null,
        SigningKey? key = null,
        string? issuer = null)
    {
        var now = DateTime.UtcNow;
        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = issuer ?? Issuer,
            Audience = audience,
            Claims = claims ?? GitHubClaims(),
            IssuedAt = issuedAt ?? now,
            NotBefore = notBefore ?? (issuedAt ?? now),
            Expires = (issuedAt ?? now) + (lifetime ?? TimeSpan.FromMinutes(5)),
            SigningCredentials = (key ?? Current).Credentials,
        };
        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(descriptor);
    }

    /// <summary>An unsigned token (<c>alg: none</c>) with the claims of a valid one.</summary>
    public string Unsigned(string audience) =>
        Encode(new JsonObject { ["alg"] = "none", ["typ"] = "JWT" }) + "." + Payload(Sign(audience)) + ".";

    /// <summary>The classic key-confusion attack: HS256 with the issuer's public key (its JWK JSON) as the HMAC secret.</summary>
    public string HmacWithPublicKey(string audience)
    {
        var unsigned = Encode(new JsonObject { ["alg"] = "HS256", ["typ"] = "JWT", ["kid"] = Current.KeyId }) + "." + Payload(Sign(audience));
        var secret = Encoding.UTF8.GetBytes(Current.PublicJwk().ToJsonString());
        return unsigned + "." + Base64UrlEncoder.Encode(HMACSHA256.HashData(secret, Encoding.ASCII.GetBytes(unsigned)));
    }

    /// <summary>A valid token whose signature has been altered.</summary>
    public string WithBadSignature(string audience)
    {
        var token = Sign(audience);
        var signature = Base64UrlEncoder.DecodeBytes(token[(token.LastIndexOf('.') + 1)..]);
        signature[0] ^= 0xFF;
        return token[..(token.LastIndexOf('.') + 1)] + Base64UrlEncoder.Encode(signature);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private IResult Discovery() => Results.Text(
        new JsonObject
        {
            ["issuer"] = Issuer,
            ["jwks_uri"] = $"{Issuer}/jwks",
            ["authorization_endpoint"] = $"{Issuer}/authorize",
            ["response_types_supported"] = new JsonArray("id_token"),
            ["subject_types_supported"] = new JsonArray("public"),
            ["id_token_signing_alg_values_supported"] = new JsonArray("RS256", "ES256"),
        }.ToJsonString(),
        "application/json");

    private IResult KeySet()
    {
        Interlocked.Increment(ref _keyFetches);
        JsonArray keys;
        lock (_lock)
        {
            keys = [.. _published.Select(k => (JsonNode)k.PublicJwk())];
        }
        return Results.Text(new JsonObject { ["keys"] = keys }.ToJsonString(), "application/json");
    }

    private IResult ActionsToken(HttpContext http)
    {
        if (http.Request.Headers.Authorization.ToString() != $"Bearer {ActionsRequestToken}")
        {
            return Results.StatusCode(StatusCodes.Status401Unauthorized);
        }
        var audience = http.Request.Query["audience"].ToString();
        return Results.Text(new JsonObject { ["value"] = Sign(audience) }.ToJsonString(), "application/json");
    }

    private static string Encode(JsonObject json) => Base64UrlEncoder.Encode(Encoding.UTF8.GetBytes(json.ToJsonString()));

    private static string Payload(string token) => token.Split('.')[1];
}

/// <summary>A signing key of <see cref="TestOidcIssuer"/> with its key id.</summary>
public sealed class SigningKey
{
    private readonly AsymmetricSecurityKey _key;
    private readonly string _algorithm;

    private SigningKey(AsymmetricSecurityKey key, string algorithm)
    {
        _key = key;
        _algorithm = algorithm;
    }

    public string KeyId => _key.KeyId;

    internal SigningCredentials Credentials => new(_key, _algorithm);

    /// <summary>A fresh RSA 2048 key (RS256).</summary>
    public static SigningKey Rsa() => new(new RsaSecurityKey(RSA.Create(2048)) { KeyId = NewKeyId() }, SecurityAlgorithms.RsaSha256);

    /// <summary>A fresh EC P-256 key (ES256).</summary>
    public static SigningKey EcP256() => new(new ECDsaSecurityKey(ECDsa.Create(ECCurve.NamedCurves.nistP256)) { KeyId = NewKeyId() }, SecurityAlgorithms.EcdsaSha256);

    /// <summary>The public half as a JWK.</summary>
    public JsonObject PublicJwk()
    {
        switch (_key)
        {
            case RsaSecurityKey rsa:
                var parameters = rsa.Rsa.ExportParameters(false);
                return new JsonObject
                {
                    ["kty"] = "RSA", ["use"] = "sig", ["alg"] = "RS256", ["kid"] = KeyId,
                    ["n"] = Base64UrlEncoder.Encode(parameters.Modulus), ["e"] = Base64UrlEncoder.Encode(parameters.Exponent),
                };
            case ECDsaSecurityKey ec:
                var point = ec.ECDsa.ExportParameters(false).Q;
                return new JsonObject
                {
                    ["kty"] = "EC", ["use"] = "sig", ["alg"] = "ES256", ["kid"] = KeyId, ["crv"] = "P-256",
                    ["x"] = Base64UrlEncoder.Encode(point.X), ["y"] = Base64UrlEncoder.Encode(point.Y),
                };
            default:
                throw new InvalidOperationException("unknown key type");
        }
    }

    private static string NewKeyId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
}
