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

    /// <summary>Whether the database file exists.</summary>
    public bool Exists => File.Exists(databasePath);

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

    /// <summary>
    /// Metadata of <paramref name="storePaths"/> (and, with <paramref name="closure"/>, everything they reference
    /// transitively) in three queries, however large the closure. Returns the paths that are not valid instead of
    /// their metadata when there are any.
    /// </summary>
    public async Task<(IReadOnlyList<LocalPathInfo> Infos, IReadOnlyList<string> Invalid)> QueryAsync(
        IReadOnlyCollection<string> storePaths, bool closure, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        var roots = System.Text.Json.JsonSerializer.Serialize(storePaths.ToArray(), NixStoreJsonContext.Default.StringArray);

        var rows = new Dictionary<long, (string Path, string Hash, long NarSize, string? Deriver, string? Sigs, string? Ca)>();
        await using (var command = connection.CreateCommand())
        {
            command.CommandText = closure
                ? """
                  WITH RECURSIVE closure(id) AS (
                    SELECT id FROM ValidPaths WHERE path IN (SELECT value FROM json_each($roots))
                    UNION
                    SELECT r.reference FROM Refs r JOIN closure c ON r.referrer = c.id)
                  SELECT v.id, v.path, v.hash, v.narSize, v.deriver, v.sigs, v.ca FROM ValidPaths v JOIN closure c ON v.id = c.id
                  """
                : "SELECT id, path, hash, narSize, deriver, sigs, ca FROM ValidPaths WHERE path IN (SELECT value FROM json_each($roots))";
            command.Parameters.AddWithValue("$roots", roots);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                if (reader.IsDBNull(3))
                {
                    throw new CliException($"Nix's database has no NAR size for {reader.GetString(1)} (an old store)");
                }
                rows[reader.GetInt64(0)] = (reader.GetString(1), reader.GetString(2), reader.GetInt64(3),
                    NullIfEmpty(reader, 4), NullIfEmpty(reader, 5), NullIfEmpty(reader, 6));
            }
        }
        var found = new HashSet<string>(rows.Values.Select(r => r.Path), StringComparer.Ordinal);
        var invalid = storePaths.Where(p => !found.Contains(p)).ToList();
        if (invalid.Count > 0)
        {
            return ([], invalid);
        }

        var references = rows.Keys.ToDictionary(id => id, _ => new List<string>());
        await using (var command = connection.CreateCommand())
        {
            command.CommandText = """
                SELECT r.referrer, v.path FROM Refs r JOIN ValidPaths v ON v.id = r.reference
                WHERE r.referrer IN (SELECT value FROM json_each($ids))
                """;
            command.Parameters.AddWithValue("$ids", System.Text.Json.JsonSerializer.Serialize(rows.Keys.ToArray(), NixStoreJsonContext.Default.Int64Array));
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                references[reader.GetInt64(0)].Add(reader.GetString(1));
            }
        }

        var infos = new List<LocalPathInfo>(rows.Count);
        foreach (var (id, row) in rows)
        {
            if (!Larder.Nix.Hashing.NixHash.TryParse(row.Hash, out var narHash))
            {
                throw new CliException($"Nix's database has an unreadable hash '{row.Hash}' for {row.Path}");
            }
            var refs = references[id];
            refs.Sort(StringComparer.Ordinal);
            var signatures = row.Sigs is null ? [] : row.Sigs.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            infos.Add(new LocalPathInfo(row.Path, narHash.ToNix32String(), row.NarSize, refs, row.Deriver, signatures, row.Ca));
        }
        return (infos, []);
    }

    private static string? NullIfEmpty(SqliteDataReader reader, int column) =>
        reader.IsDBNull(column) || reader.GetString(column).Length == 0 ? null : reader.GetString(column);

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

[System.Text.Json.Serialization.JsonSerializable(typeof(string[]))]
[System.Text.Json.Serialization.JsonSerializable(typeof(long[]))]
internal sealed partial class NixStoreJsonContext : System.Text.Json.Serialization.JsonSerializerContext;
