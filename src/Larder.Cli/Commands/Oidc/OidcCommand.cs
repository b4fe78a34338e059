using System.CommandLine;
using Larder.Cli.Commands.Token;
using Larder.Cli.Config;
using Larder.Cli.Infrastructure;
using Larder.Cli.Output;
using Larder.Contracts.Oidc;
using Larder.Contracts.Tokens;

namespace Larder.Cli.Commands.Oidc;

/// <summary><c>larder oidc policy add|list|rm</c>: the trust policies behind <c>larder login --oidc</c>.</summary>
internal static class OidcCommand
{
    public static Command Create()
    {
        var policy = new Command("policy", "Manage OIDC trust policies (admin on '*').");
        policy.Subcommands.Add(AddCommand());
        policy.Subcommands.Add(ListCommand());
        policy.Subcommands.Add(RemoveCommand());
        var command = new Command("oidc", """
            Let CI jobs push without long-lived secrets: a trust policy says which OpenID Connect ID tokens (issuer,
            audience, claims) are exchanged for a short-lived token, with which grants. CI then runs
            `larder login NAME URL --oidc`.

            Examples:
              larder oidc policy add acme-main --issuer https://token.actions.githubusercontent.com \
                --claim repository=acme/app --claim-glob 'ref=refs/heads/*' --cache ci --permission read,write
              larder oidc policy list
              larder oidc policy rm acme-main
            """);
        command.Subcommands.Add(policy);
        return command;
    }

    private static Option<string?> ServerOption() => new("--server") { Description = "Server name (default: the default server)." };

    private static Command AddCommand()
    {
        var name = new Argument<string>("NAME") { Description = "A name for the policy (lower-case letters, digits, '.', '_', '-')." };
        var issuer = new Option<string>("--issuer") { Description = "The issuer URL, exactly as the tokens' 'iss' claim.", Required = true };
        var audience = new Option<string?>("--audience") { Description = "The 'aud' the tokens must carry (default: the server's URL, as `larder login --oidc` asks)." };
        var claim = new Option<string[]>("--claim") { Description = "CLAIM=VALUE the token must carry exactly (repeatable)." };
        var claimGlob = new Option<string[]>("--claim-glob") { Description = "CLAIM=PATTERN with * and ? wildcards (repeatable)." };
        var cache = new Option<string[]>("--cache", "-c") { Description = "Cache name or pattern the issued tokens may use (repeatable; required).", Required = true };
        var permission = new Option<string[]>("--permission", "-p") { Description = "Permissions: read, write, delete, admin (default read)." };
        var lifetime = new Option<string?>("--lifetime") { Description = "Lifetime of issued tokens: 30m, 2h (default 1h, at most 24h)." };
        var server = ServerOption();
        var json = new Option<bool>("--json") { Description = "Print the policy as JSON." };
        var command = new Command("add", "Create a trust policy.") { name, issuer, audience, claim, claimGlob, cache, permission, lifetime, server, json };
        command.SetHandler(async (parse, ct) =>
        {
            var conditions = ParseConditions(parse.GetValue(claim) ?? [], "exact", "--claim")
                .Concat(ParseConditions(parse.GetValue(claimGlob) ?? [], "glob", "--claim-glob"))
                .ToList();
            if (conditions.Count == 0)
            {
                throw new CliException(
                    "a policy needs at least one --claim or --claim-glob",
                    "an issuer such as GitHub Actions signs tokens for every repository it hosts; name yours, e.g. --claim repository=acme/app");
            }
            var permissions = TokenCommand.ParsePermissions(parse.GetValue(permission) ?? []);
            var grants = parse.GetRequiredValue(cache).Select(c => new GrantDto(c, permissions)).ToList();
            using var client = CliEnvironment.OpenServer(parse.GetValue(server));
            var request = new CreateOidcPolicyRequest(
                parse.GetRequiredValue(name),
                parse.GetRequiredValue(issuer),
                parse.GetValue(audience) ?? DefaultAudience(client.Server.BaseUrl),
                conditions,
                grants,
                ParseLifetime(parse.GetValue(lifetime)));
            var created = await client.CreateOidcPolicyAsync(request, ct).ConfigureAwait(false);
            if (parse.GetValue(json))
            {
                JsonOutput.Write(created, OidcJsonContext.Default.OidcPolicyDto);
                return 0;
            }
            Console.Out.WriteLine($"created OIDC policy {Describe(created)}");
            return 0;
        });
        return command;
    }

    private static Command ListCommand()
    {
        var server = ServerOption();
        var json = new Option<bool>("--json") { Description = "Print JSON." };
        var command = new Command("list", "List the trust policies.") { server, json };
        command.SetHandler(async (parse, ct) =>
        {
            using var client = CliEnvironment.OpenServer(parse.GetValue(server));
            var policies = await client.ListOidcPoliciesAsync(ct).ConfigureAwait(false);
            if (parse.GetValue(json))
            {
                JsonOutput.Write(policies, OidcJsonContext.Default.IReadOnlyListOidcPolicyDto);
                return 0;
            }
            foreach (var policy in policies)
            {
                Console.Out.WriteLine(Describe(policy));
            }
            if (policies.Count == 0)
            {
                Console.Out.WriteLine("no OIDC policies");
            }
            return 0;
        });
        return command;
    }

    private static Command RemoveCommand()
    {
        var name = new Argument<string>("NAME") { Description = "The policy's name (from `larder oidc policy list`)." };
        var server = ServerOption();
        var command = new Command("rm", "Delete a trust policy; tokens it issued live on until they expire.") { name, server };
        command.SetHandler(async (parse, ct) =>
        {
            using var client = CliEnvironment.OpenServer(parse.GetValue(server));
            await client.DeleteOidcPolicyAsync(parse.GetRequiredValue(name), ct).ConfigureAwait(false);
            Console.Out.WriteLine($"deleted OIDC policy {parse.GetRequiredValue(name)}");
            return 0;
        });
        return command;
    }

    /// <summary>The audience <c>larder login --oidc</c> asks for by default: the server's URL without a trailing slash.</summary>
    internal static string DefaultAudience(Uri baseUrl) => baseUrl.ToString().TrimEnd('/');

    /// <summary>Parses <c>CLAIM=VALUE</c> arguments.</summary>
    internal static IEnumerable<ClaimConditionDto> ParseConditions(IEnumerable<string> values, string match, string option)
    {
        foreach (var value in values)
        {
            var equals = value.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                throw new CliException($"{option} '{value}': expected CLAIM=VALUE, e.g. repository=acme/app");
            }
            yield return new ClaimConditionDto(value[..equals], value[(equals + 1)..], match);
        }
    }

    /// <summary>Parses <c>30m</c> or <c>2h</c> into seconds; null for none.</summary>
    internal static int? ParseLifetime(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }
        var trimmed = text.Trim();
        var unit = char.ToLowerInvariant(trimmed[^1]);
        if (unit is 'm' or 'h' && int.TryParse(trimmed[..^1], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var count)
            && count is > 0 and <= 24 * 60)
        {
            return unit == 'm' ? count * 60 : count * 3600;
        }
        throw new CliException($"--lifetime: '{text}' is not a duration such as 30m or 2h");
    }

    private static string Describe(OidcPolicyDto policy)
    {
        var conditions = string.Join(", ", policy.Conditions.Select(c => c.Match == "glob" ? $"{c.Claim}~{c.Value}" : $"{c.Claim}={c.Value}"));
        var grants = string.Join("; ", policy.Grants.Select(g => $"{g.Cache}: {string.Join(",", g.Permissions)}"));
        return $"{policy.Name}: {policy.Issuer} (aud {policy.Audience}) when {conditions} -> [{grants}] for {TimeSpan.FromSeconds(policy.LifetimeSeconds)}";
    }
}
