using System.CommandLine;
using Larder.Cli.Commands.Migrate;
using Larder.Cli.Commands.Token;
using Larder.Cli.Infrastructure;
using Larder.Server.Access;

namespace Larder.Cli.Commands.Admin;

/// <summary>
/// <c>larder admin create-token [--data DIR] [--config FILE] [--description TEXT] [--expires WHEN]</c>: the recovery
/// path when no usable admin token is left. Writes a new token with every permission on <c>*</c> straight into the
/// server's metadata store and prints its secret once.
/// </summary>
internal static class AdminCreateTokenCommand
{
    public static Command Create()
    {
        var (data, config) = ServerStores.CreateOptions();
        var description = new Option<string>("--description")
        {
            Description = "What the token is for.",
            DefaultValueFactory = _ => "admin (created by larder admin create-token)",
        };
        var expires = new Option<string?>("--expires") { Description = "Expiry: a duration (30d, 12h, 2w) or a date (2027-01-31)." };
        var command = new Command("create-token", """
            Create a token with every permission on '*' directly in the server's stores and print its secret once.
            Use it on the server machine when no admin token is left (lost, expired or revoked); it needs access to the
            server's data (--data, --config, --Larder:Key=value), not a running server. The server applies the same
            schema migrations at start-up; this command applies them too.

            Examples:
              larder admin create-token --data /var/lib/larder
              larder admin create-token --config /etc/larder.json --description "recovery" --expires 1d
            """)
        {
            data, config, description, expires,
        };
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetHandler(async (parse, ct) =>
        {
            var now = DateTimeOffset.UtcNow;
            var expiresAt = TokenCommand.ParseExpiry(parse.GetValue(expires), now);
            var text = parse.GetValue(description)?.Trim();
            if (string.IsNullOrEmpty(text))
            {
                throw new CliException("--description: give a non-empty description");
            }
            var stores = await ServerStores.OpenAsync(ServerStores.ServerArgs(parse, data, config)).ConfigureAwait(false);
            await using (stores.ConfigureAwait(false))
            {
                var secret = TokenSecrets.Generate();
                var token = await ServerStores.Guard(async () =>
                {
                    await stores.Metadata.MigrateAsync(ct).ConfigureAwait(false);
                    return await stores.Metadata.CreateTokenAsync(AdminTokenBootstrap.NewAdminToken(text, secret, now, expiresAt), ct)
                        .ConfigureAwait(false);
                }).ConfigureAwait(false);
                Console.Error.WriteLine($"created admin token {token.Id} ('{token.Description}'); its secret is shown only now:");
                Console.Out.WriteLine(secret);
                return 0;
            }
        });
        return command;
    }
}
