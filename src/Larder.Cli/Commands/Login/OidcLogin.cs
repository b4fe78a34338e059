using Larder.Cli.Client;
using Larder.Cli.Commands.Oidc;
using Larder.Cli.Config;

namespace Larder.Cli.Commands.Login;

/// <summary>
/// The <c>--oidc</c> part of <c>larder login</c>: gets the CI job's ID token (<see cref="IdTokenSource"/>), exchanges it
/// for a short-lived token, and returns the config entry that holds it with what renewing it needs.
/// </summary>
internal static class OidcLogin
{
    public static async Task<ServerEntry> ExchangeAsync(string serverName, Uri baseUrl, string? audience, string? tokenFile, CancellationToken ct)
    {
        var chosenAudience = audience ?? OidcCommand.DefaultAudience(baseUrl);
        var fullTokenFile = tokenFile is null ? null : Path.GetFullPath(tokenFile);
        var idToken = await new IdTokenSource(fullTokenFile).GetAsync(chosenAudience, ct).ConfigureAwait(false);
        using var client = new LarderClient(new ServerTarget(serverName, baseUrl, null), maxRetries: 1);
        var issued = await client.ExchangeOidcTokenAsync(idToken, ct).ConfigureAwait(false);
        Console.Error.WriteLine($"OIDC policies {string.Join(", ", issued.Policies)} issued token {issued.TokenId}, expiring at {issued.ExpiresAt:u}");
        return new ServerEntry
        {
            Url = baseUrl.ToString(),
            Token = issued.Secret,
            TokenExpiresAt = issued.ExpiresAt,
            Oidc = new OidcLoginEntry { Audience = chosenAudience, TokenFile = fullTokenFile },
        };
    }
}
