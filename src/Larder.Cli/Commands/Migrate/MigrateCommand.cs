using System.CommandLine;
using Larder.Cli.Infrastructure;
using Larder.Server.Metadata.Postgres;
using Larder.Server.Metadata.Sqlite;

namespace Larder.Cli.Commands.Migrate;

/// <summary>
/// <c>larder migrate [--data DIR] [--config FILE] [--database-kind sqlite|postgres] [--connection-string CS] [--create]</c>:
/// creates or upgrades the metadata schema and prints its version; a new SQLite data directory only with <c>--create</c>. <c>larder serve</c> migrates at start-up too;
/// this lets an operator do it once, ahead of rolling out replicas.
/// </summary>
internal static class MigrateCommand
{
    public static Command Create()
    {
        var (data, config) = ServerStores.CreateOptions();
        var kind = new Option<string?>("--database-kind") { Description = "sqlite or postgres (overrides Larder:Database:Kind)." };
        var connectionString = new Option<string?>("--connection-string")
        {
            Description = "SQLite or Npgsql connection string (overrides Larder:Database:ConnectionString).",
        };
        var create = new Option<bool>("--create")
        {
            Description = "Set up a new data directory (SQLite database, blob folder or bucket) when there is none, instead of refusing.",
        };
        var command = new Command("migrate", """
            Create or upgrade the metadata database schema, then print its version. Reads the same configuration as
            'larder serve' (--data, --config, --Larder:Key=value, Larder__Key variables). Safe to run while servers run,
            and from several machines at once (PostgreSQL migrations take an advisory lock). A data directory without a
            SQLite database is refused (a mistyped --data), unless --create is given.

            Examples:
              larder migrate --data /var/lib/larder
              larder migrate --data /var/lib/larder --create
              larder migrate --database-kind postgres --connection-string "Host=db;Database=larder;Username=larder"
            """)
        {
            data, config, kind, connectionString, create,
        };
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetHandler(async (parse, ct) =>
        {
            var args = ServerStores.ServerArgs(parse, data, config);
            if (parse.GetValue(kind) is { } k)
            {
                args.Add($"--Larder:Database:Kind={k}");
            }
            if (parse.GetValue(connectionString) is { } cs)
            {
                args.Add($"--Larder:Database:ConnectionString={cs}");
            }
            var creating = parse.GetValue(create);
            var stores = await ServerStores.OpenAsync(args, creating).ConfigureAwait(false);
            await using (stores.ConfigureAwait(false))
            {
                if (creating)
                {
                    await stores.GetBlobStoreAsync(ct).ConfigureAwait(false);
                }
                var versions = await ServerStores.Guard(async () =>
                {
                    await stores.Metadata.MigrateAsync(ct).ConfigureAwait(false);
                    return stores.Metadata switch
                    {
                        PostgresMetadataStore pg => await pg.GetAppliedMigrationsAsync(ct).ConfigureAwait(false),
                        SqliteMetadataStore sqlite => await sqlite.GetAppliedMigrationsAsync(ct).ConfigureAwait(false),
                        _ => throw new CliException($"cannot read the schema version of {stores.Metadata.GetType().Name}"),
                    };
                }).ConfigureAwait(false);
                var version = versions.Count == 0 ? 0 : versions.Max();
                Console.Out.WriteLine($"{stores.Options.Database.Kind.ToLowerInvariant()} schema version {version}");
            }
            return 0;
        });
        return command;
    }
}
