using System.CommandLine;
using System.Globalization;
using Larder.Cli.Config;
using Larder.Cli.Infrastructure;
using Larder.Cli.Output;
using Larder.Contracts;
using Larder.Contracts.Tokens;

namespace Larder.Cli.Commands.Token;

/// <summary><c>larder token create|list|revoke</c>.</summary>
internal static class TokenCommand
{
    private static readonly string[] PermissionNames = ["read", "write", "delete", "admin"];

    public static Command Create()
    {
        var command = new Command("token", """
            Create, list and revoke API tokens. Any token may create tokens with a subset of its own grants that expire no
            later than it; they are revoked with it. Listing every token needs admin on '*'.

            Examples:
              larder token create --description "CI for ci-*" --permission read,write --cache 'ci-*' --expires 90d
              larder token list
              larder token revoke 12
              larder token events --token 12
            """);
        command.Subcommands.Add(CreateCommand());
        command.Subcommands.Add(ListCommand());
        command.Subcommands.Add(RevokeCommand());
        command.Subcommands.Add(TokenEventsCommand.Create());
        return command;
    }

    private static Option<string?> ServerOption() => new("--server") { Description = "Server name (default: the default server)." };

    private static Command CreateCommand()
    {
        var description = new Option<string>("--description", "-d") { Description = "What the token is for.", Required = true };
        var permission = new Option<string[]>("--permission", "-p")
        {
            Description = "Permissions, comma-separated or repeated: read, write, delete, admin (default read).",
        };
        var cache = new Option<string[]>("--cache", "-c")
        {
            Description = "Cache name or pattern ('team-*', '*') the permissions apply to (repeatable; required).",
            Required = true,
        };
        var expires = new Option<string?>("--expires") { Description = "Expiry: a duration (30d, 12h, 2w) or a date (2027-01-31)." };
        var server = ServerOption();
        var json = new Option<bool>("--json") { Description = "Print the token and its secret as JSON." };
        var command = new Command("create", "Create a token; its secret is printed once and never again.")
        {
            description, permission, cache, expires, server, json,
        };
        command.SetHandler(async (parse, ct) =>
        {
            var permissions = ParsePermissions(parse.GetValue(permission) ?? []);
            var grants = parse.GetRequiredValue(cache).Select(c => new GrantDto(c, permissions)).ToList();
            var expiresAt = ParseExpiry(parse.GetValue(expires), DateTimeOffset.UtcNow);
            using var client = CliEnvironment.OpenServer(parse.GetValue(server));
            var created = await client.CreateTokenAsync(new CreateTokenRequest(parse.GetRequiredValue(description), grants, expiresAt), ct)
                .ConfigureAwait(false);
            if (parse.GetValue(json))
            {
                JsonOutput.Write(created, LarderJsonContext.Default.CreatedTokenDto);
                return 0;
            }
            Console.Error.WriteLine($"created token {created.Token.Id} ({Describe(created.Token)}); the secret is shown only now:");
            Console.Out.WriteLine(created.Secret);
            return 0;
        });
        return command;
    }

    private static Command ListCommand()
    {
        var server = ServerOption();
        var json = new Option<bool>("--json") { Description = "Print JSON." };
        var command = new Command("list", "List tokens (never their secrets).") { server, json };
        command.SetHandler(async (parse, ct) =>
        {
            using var client = CliEnvironment.OpenServer(parse.GetValue(server));
            var tokens = await client.ListTokensAsync(ct).ConfigureAwait(false);
            if (parse.GetValue(json))
            {
                JsonOutput.Write(tokens, LarderJsonContext.Default.IReadOnlyListTokenDto);
                return 0;
            }
            foreach (var token in tokens)
            {
                var state = token.RevokedAt is not null ? "revoked" : token.ExpiresAt is { } e && e <= DateTimeOffset.UtcNow ? "expired" : "active";
                Console.Out.WriteLine($"{token.Id,5}  {state,-7}  {Describe(token)}");
            }
            if (tokens.Count == 0)
            {
                Console.Out.WriteLine("no tokens");
            }
            return 0;
        });
        return command;
    }

    private static Command RevokeCommand()
    {
        var id = new Argument<long>("ID")
        {
            Description = "The token's id (from `larder token list`).",
            CustomParser = result =>
            {
                var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
                if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value > 0)
                {
                    return value;
                }
                result.AddError($"'{text}' is not a token id: ids are positive numbers (see `larder token list`)");
                return 0;
            },
        };
        var server = ServerOption();
        var command = new Command("revoke", "Revoke a token; it stops working at once.") { id, server };
        command.SetHandler(async (parse, ct) =>
        {
            using var client = CliEnvironment.OpenServer(parse.GetValue(server));
            var tokenId = parse.GetValue(id);
            await client.RevokeTokenAsync(tokenId, ct).ConfigureAwait(false);
            Console.Out.WriteLine($"revoked token {tokenId}");
            return 0;
        });
        return command;
    }

    /// <summary>Parses <c>read,write</c> (possibly repeated); default read.</summary>
    internal static IReadOnlyList<string> ParsePermissions(IEnumerable<string> values)
    {
        var result = new List<string>();
        foreach (var name in values.SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)))
        {
            var lower = name.ToLowerInvariant();
            if (!PermissionNames.Contains(lower))
            {
                throw new CliException($"unknown permission '{name}' (expected {string.Join(", ", PermissionNames)})");
            }
            if (!result.Contains(lower))
            {
                result.Add(lower);
            }
        }
        return result.Count == 0 ? ["read"] : result;
    }

    /// <summary>Parses <c>30d</c>, <c>12h</c>, <c>2w</c>, <c>45m</c> (from <paramref name="now"/>) or an ISO date/time.</summary>
    internal static DateTimeOffset? ParseExpiry(string? text, DateTimeOffset now)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }
        var trimmed = text.Trim();
        var unit = char.ToLowerInvariant(trimmed[^1]);
        if (unit is 'm' or 'h' or 'd' or 'w' && int.TryParse(trimmed[..^1], NumberStyles.None, CultureInfo.InvariantCulture, out var count) && count > 0)
        {
            return unit switch
            {
                'm' => now.AddMinutes(count),
                'h' => now.AddHours(count),
                'd' => now.AddDays(count),
                _ => now.AddDays(7 * count),
            };
        }
        if (DateTimeOffset.TryParse(trimmed, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var date))
        {
            if (date <= now)
            {
                throw new CliException($"--expires: {date:u} is in the past");
            }
            return date;
        }
        throw new CliException($"--expires: '{text}' is neither a duration (30d, 12h, 2w, 45m) nor a date (2027-01-31)");
    }

    private static string Describe(TokenDto token)
    {
        var grants = string.Join("; ", token.Grants.Select(g => $"{g.Cache}: {string.Join(",", g.Permissions)}"));
        var expiry = token.ExpiresAt is { } e ? $", expires {e:u}" : "";
        var creator = token.CreatedBy is { } id ? $", created by {id}" : "";
        var lastUse = token.LastUsedAt is { } used ? $", last used {used:u}" : ", never used";
        return $"'{token.Description}' [{grants}]{expiry}{creator}{lastUse}";
    }
}
