using Larder.Cli.Client;
using Larder.Cli.Config;
using Larder.Cli.Infrastructure;
using Larder.Contracts.Tokens;
using Larder.Server.Access;

namespace Larder.Cli.Commands.Use;

/// <summary>
/// Chooses the token <c>larder use</c> writes into netrc for a private cache: never one that can write, delete or
/// administer (netrc is read by every Nix process of the user, and by the daemon), only one that reads the cache.
/// Netrc holds one password per host, so another token already there for the host is kept unless it also reads this
/// cache, and replaced only with <c>--force</c>.
/// </summary>
internal sealed class CacheReadToken(ServerTarget server, string cache, string host)
{
    /// <summary>Prefix of the description of tokens <c>larder use</c> creates (<c>larder unuse</c> revokes those).</summary>
    public const string DescriptionPrefix = "larder use ";

    /// <summary>
    /// The token to write: the <paramref name="existing"/> netrc password when it reads the cache read-only; else
    /// <paramref name="given"/> (checked to be read-only); else the login token if it is read-only; else a new
    /// read-only token for the cache created with the login token.
    /// </summary>
    public async Task<(string Token, string? Change)> ChooseAsync(string? existing, string? given, bool force, CancellationToken ct)
    {
        if (existing is not null && (given is null || given == existing) && await ReadsOnlyThisCacheAsync(existing, ct).ConfigureAwait(false))
        {
            return (existing, null);
        }
        if (existing is not null && existing != given && !force)
        {
            throw new CliException(
                $"the netrc file already has a different token for {host}, and it cannot read cache '{cache}' (or can do more than read)",
                $"Nix sends one netrc password per host, so private caches on one server need one token that reads all of them: " +
                $"create it with `larder token create --description nix --permission read --cache {cache} --cache OTHER`, then run " +
                "`larder use CACHE --token-stdin --force` for each cache; --force alone replaces the token (the other caches on this host then stop working)");
        }
        if (given is not null)
        {
            var who = await WhoAmIAsync(given, ct).ConfigureAwait(false);
            if (!IsReadOnly(who))
            {
                throw new CliException(
                    $"refusing to write token '{who.Description}' into netrc: it can {string.Join(",", Extra(who))}, and netrc needs only read",
                    $"create a read-only token: larder token create --description nix --permission read --cache {cache}");
            }
            if (!Reads(who))
            {
                throw new CliException($"token '{who.Description}' cannot read cache '{cache}'");
            }
            return (given, $"wrote the given read-only token for {host}");
        }
        var login = server.Token ?? throw new CliException(
            $"cache '{cache}' is private, but there is no token for server '{server.Name}'",
            $"give a read-only token with --token-stdin, or {server.LoginHint()}");
        var loginWho = await WhoAmIAsync(login, ct).ConfigureAwait(false);
        if (IsReadOnly(loginWho) && Reads(loginWho))
        {
            return (login, $"wrote the login token (read-only) for {host}");
        }
        using var client = new LarderClient(server);
        try
        {
            var request = new CreateTokenRequest(
                $"{DescriptionPrefix}{cache} ({Environment.UserName}@{Environment.MachineName})",
                [new GrantDto(cache, ["read"])],
                loginWho.ExpiresAt);
            var created = await client.CreateTokenAsync(request, ct).ConfigureAwait(false);
            return (created.Secret, $"created read-only token {created.Token.Id} for cache '{cache}' and wrote it for {host}");
        }
        catch (CliException e)
        {
            throw new CliException(
                $"cannot create a read-only token for cache '{cache}' with the login token: {e.Message}",
                $"ask an admin for one (`larder token create --permission read --cache {cache}`) and pass it with --token-stdin");
        }
    }

    private async Task<bool> ReadsOnlyThisCacheAsync(string token, CancellationToken ct)
    {
        try
        {
            var who = await WhoAmIAsync(token, ct).ConfigureAwait(false);
            return IsReadOnly(who) && Reads(who);
        }
        catch (CliException)
        {
            // Revoked, or a token for another server on the same host: not one that serves this cache.
            return false;
        }
    }

    private async Task<WhoAmIDto> WhoAmIAsync(string token, CancellationToken ct)
    {
        using var client = new LarderClient(server with { Token = token }, maxRetries: 1);
        return await client.WhoAmIAsync(ct).ConfigureAwait(false);
    }

    private bool Reads(WhoAmIDto who) =>
        who.Grants.Any(g => Grants.Matches(g.Cache, cache) && g.Permissions.Contains("read", StringComparer.Ordinal));

    private static bool IsReadOnly(WhoAmIDto who) => !Extra(who).Any();

    private static IEnumerable<string> Extra(WhoAmIDto who) =>
        who.Grants.SelectMany(g => g.Permissions).Where(p => p != "read").Distinct(StringComparer.Ordinal);
}
