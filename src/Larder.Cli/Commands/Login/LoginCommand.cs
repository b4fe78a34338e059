using System.CommandLine;
using Larder.Cli.Client;
using Larder.Cli.Config;
using Larder.Cli.Infrastructure;

namespace Larder.Cli.Commands.Login;

/// <summary><c>larder login NAME URL [TOKEN|--stdin]</c>: remembers a server and its token.</summary>
internal static class LoginCommand
{
    public static Command Create()
    {
        var name = new Argument<string>("NAME") { Description = "A short name for the server, used as SERVER in SERVER:CACHE." };
        var url = new Argument<string>("URL") { Description = "The server's base URL, e.g. https://cache.example.com." };
        var token = new Argument<string?>("TOKEN") { Description = "API token (omit for anonymous access to public caches).", Arity = ArgumentArity.ZeroOrOne };
        var stdin = new Option<bool>("--stdin") { Description = "Read the token from stdin (keeps it out of shell history)." };
        var makeDefault = new Option<bool>("--default") { Description = "Make this the default server (the first login always is)." };
        var noVerify = new Option<bool>("--no-verify") { Description = "Do not check the server and the token." };
        var oidc = new Option<bool>("--oidc")
        {
            Description = "In CI: exchange the job's OIDC ID token for a short-lived token, renewed when it nears expiry.",
        };
        var audience = new Option<string?>("--audience") { Description = "With --oidc: the ID token's audience (default: the server's URL)." };
        var oidcTokenFile = new Option<string?>("--oidc-token-file") { Description = "With --oidc: read the ID token from this file." };
        var command = new Command("login", $"""
            Remember a server and its token in the config file ({ConfigStore.Default().Path}, mode 0600).
            LARDER_CONFIG overrides the file, LARDER_SERVER picks the server and LARDER_TOKEN the token (for CI).

            Examples:
              larder login work https://cache.example.com larder_…
              echo "$TOKEN" | larder login work https://cache.example.com --stdin --default
              larder login work https://cache.example.com --oidc      (GitHub Actions, LARDER_OIDC_TOKEN, --oidc-token-file)
            """)
        {
            name, url, token, stdin, makeDefault, noVerify, oidc, audience, oidcTokenFile,
        };
        command.SetHandler(async (parse, ct) =>
        {
            var serverName = parse.GetRequiredValue(name);
            if (serverName.Length == 0 || serverName.Contains(':', StringComparison.Ordinal) || serverName.Any(char.IsWhiteSpace))
            {
                throw new CliException($"'{serverName}' is not a server name (no ':' or spaces: it is used as SERVER in SERVER:CACHE)");
            }
            var baseUrl = ServerResolver.ParseServerUrl(parse.GetRequiredValue(url));
            ServerEntry? oidcEntry = null;
            if (parse.GetValue(oidc))
            {
                if (parse.GetValue(token) is not null || parse.GetValue(stdin))
                {
                    throw new CliException("--oidc gets its token from the CI job's ID token: give no TOKEN and no --stdin");
                }
                oidcEntry = await OidcLogin.ExchangeAsync(serverName, baseUrl, parse.GetValue(audience), parse.GetValue(oidcTokenFile), ct).ConfigureAwait(false);
            }
            else if (parse.GetValue(audience) is not null || parse.GetValue(oidcTokenFile) is not null)
            {
                throw new CliException("--audience and --oidc-token-file need --oidc");
            }
            var secret = oidcEntry?.Token
                ?? await SecretInput.ReadAsync(parse.GetValue(token), parse.GetValue(stdin), "--stdin", ct).ConfigureAwait(false);
            if (!parse.GetValue(noVerify))
            {
                using var client = new LarderClient(new ServerTarget(serverName, baseUrl, secret), maxRetries: 1);
                await client.EnsureLarderServerAsync(ct).ConfigureAwait(false);
                if (secret is not null)
                {
                    var who = await client.WhoAmIAsync(ct).ConfigureAwait(false);
                    Console.Error.WriteLine($"token ok: '{who.Description}'");
                }
            }
            var store = CliEnvironment.Store();
            var config = store.Load();
            config.Servers[serverName] = oidcEntry ?? new ServerEntry { Url = baseUrl.ToString(), Token = secret };
            if (config.DefaultServer is null || parse.GetValue(makeDefault) || !config.Servers.ContainsKey(config.DefaultServer))
            {
                config.DefaultServer = serverName;
            }
            store.Save(config);
            var suffix = config.DefaultServer == serverName ? " (default)" : "";
            Console.Out.WriteLine($"logged in to {serverName} at {baseUrl}{suffix}; config: {store.Path}");
            return 0;
        });
        return command;
    }
}
