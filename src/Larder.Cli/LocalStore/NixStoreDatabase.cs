using Larder.Cli.Infrastructure;
using Microsoft.Data.Sqlite;

namespace Larder.Cli.LocalStore;

/// <summary>
/// Reads Nix's own SQLite database (<c>$NIX_STATE_DIR/db/db.sqlite</c>, default <c>/nix/var/nix/db/db.sqlite</c>),
/// read-only, to notice newly registered paths: <c>ValidPaths.id</c> only grows, so "ids above the last one seen" is
/// exactly "paths added since".
/// </summary>
public sealed class NixStoreDatabase(string databasePath)
{
    /// <summary>The database of the local Nix installation.</summary>
    public static NixStoreDatabase Default()
    {
        var stateDir = Environment.GetEnvironmentVariable("NIX_STATE_DIR") is { Length: > 0 } dir ? dir : "/nix/var/nix";
        return new NixStoreDatabase(Path.Combine(stateDir, "db", "db.sqlite"));
    }

    /// <summary>The highest path id so far (0 for an empty store).</summary>
    public async Task<long> GetLastIdAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT coalesce(max(id), 0) FROM ValidPaths";
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Paths registered after <paramref name="afterId"/>, in registration order, with the new last id.</summary>
    public async Task<(IReadOnlyList<string> Paths, long LastId)> GetPathsAfterAsync(long afterId, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT id, path FROM ValidPaths WHERE id > $after ORDER BY id";
        command.Parameters.AddWithValue("$after", afterId);
        var paths = new List<string>();
        var last = afterId;
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            last = reader.GetInt64(0);
            paths.Add(reader.GetString(1));
        }
        return (paths, last);
    }

    private async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        if (!File.Exists(databasePath))
        {
            throw new CliException($"Nix's database {databasePath} does not exist", "is Nix installed? NIX_STATE_DIR points elsewhere?");
        }
        var builder = new SqliteConnectionStringBuilder { DataSource = databasePath, Mode = SqliteOpenMode.ReadOnly, Pooling = false, DefaultTimeout = 30 };
        var connection = new SqliteConnection(builder.ToString());
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (SqliteException e)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw new CliException($"cannot read Nix's database {databasePath}: {e.Message}");
        }
        return connection;
    }
}
