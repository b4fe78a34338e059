using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace Larder.Server.Metadata.Sqlite;

public sealed partial class SqliteMetadataStore
{
    private const string NarColumns = "n.id, n.nar_hash, n.nar_size, n.compression, n.file_hash, n.file_size, n.listing_key, n.created_at";
    private const string ChunkColumns = "c.hash, c.storage_key, c.size, c.stored_hash, c.stored_size, c.compression";

    /// <inheritdoc />
    public Task<PathWithNar?> GetPathAsync(long cacheId, string hashPart, CancellationToken cancellationToken) => Run(cancellationToken, session =>
    {
        using var reader = session.Command(
            $"""
            SELECT p.hash_part, p.store_path, p.refs, p.deriver, p.signatures, p.ca, p.created_at, p.last_accessed_at,
                   {NarColumns}, {ChunkColumns}
            FROM paths p JOIN nars n ON n.id = p.nar_id LEFT JOIN nar_chunks c ON c.nar_id = n.id
            WHERE p.cache_id = $p0 AND p.hash_part = $p1
            ORDER BY c.seq;
            """,
            cacheId,
            hashPart).ExecuteReader();
        if (!reader.Read())
        {
            return null;
        }
        var path = new PathRecord(
            cacheId,
            reader.GetString(0),
            reader.GetString(1),
            reader.GetInt64(8),
            SplitList(reader.GetString(2)),
            reader.IsDBNull(3) ? null : reader.GetString(3),
            SplitList(reader.GetString(4)),
            reader.IsDBNull(5) ? null : reader.GetString(5),
            FromDb(reader.GetInt64(6)),
            FromDb(reader.GetInt64(7)));
        var nar = ReadNarWithChunks(reader, 8);
        return new PathWithNar(path, nar);
    });

    /// <inheritdoc />
    public Task<IReadOnlyList<string>> FindMissingAsync(long cacheId, IReadOnlyList<string> hashParts, CancellationToken cancellationToken) =>
        Run(cancellationToken, session =>
        {
            ArgumentNullException.ThrowIfNull(hashParts);
            // One statement over a JSON array: SQLite probes the primary key once per hash without a round trip
            // through the command layer for each (30,000 hashes per query from `larder push`).
            using var reader = session.Command(
                """
                SELECT j.value FROM json_each($p1) AS j
                WHERE NOT EXISTS (SELECT 1 FROM paths p WHERE p.cache_id = $p0 AND p.hash_part = j.value)
                ORDER BY j.key;
                """,
                cacheId,
                JsonSerializer.Serialize(hashParts)).ExecuteReader();
            var missing = new List<string>();
            while (reader.Read())
            {
                missing.Add(reader.GetString(0));
            }
            return (IReadOnlyList<string>)missing;
        });

    /// <inheritdoc />
    public Task<NarRecord?> GetNarByFileHashAsync(long cacheId, string fileHash, CancellationToken cancellationToken) => Run(cancellationToken, session =>
    {
        using var reader = session.Command(
            $"""
            SELECT {NarColumns}, {ChunkColumns}
            FROM nars n LEFT JOIN nar_chunks c ON c.nar_id = n.id
            WHERE n.id = (SELECT n2.id FROM nars n2 WHERE n2.file_hash = $p1
                          AND EXISTS (SELECT 1 FROM paths p WHERE p.nar_id = n2.id AND p.cache_id = $p0) LIMIT 1)
            ORDER BY c.seq;
            """,
            cacheId,
            fileHash).ExecuteReader();
        return reader.Read() ? ReadNarWithChunks(reader, 0) : null;
    });

    /// <inheritdoc />
    public Task<NarRecord?> GetNarByNarHashAsync(string narHash, CancellationToken cancellationToken) => Run(cancellationToken, session =>
    {
        using var reader = session.Command(
            $"""
            SELECT {NarColumns}, {ChunkColumns}
            FROM nars n LEFT JOIN nar_chunks c ON c.nar_id = n.id
            WHERE n.nar_hash = $p0
            ORDER BY c.seq;
            """,
            narHash).ExecuteReader();
        return reader.Read() ? ReadNarWithChunks(reader, 0) : null;
    });

    /// <inheritdoc />
    public Task<IReadOnlyList<NarRecord>> ListNarsAsync(long afterId, int limit, CancellationToken cancellationToken) => Run(cancellationToken, session =>
    {
        using var reader = session.Command(
            $"""
            SELECT {NarColumns}, {ChunkColumns}
            FROM (SELECT * FROM nars WHERE id > $p0 ORDER BY id LIMIT $p1) n LEFT JOIN nar_chunks c ON c.nar_id = n.id
            ORDER BY n.id, c.seq;
            """,
            afterId,
            limit).ExecuteReader();
        var nars = new List<NarRecord>();
        var more = reader.Read();
        while (more)
        {
            nars.Add(ReadNarWithChunks(reader, 0, out more));
        }
        return (IReadOnlyList<NarRecord>)nars;
    });

    /// <inheritdoc />
    public Task TouchPathsAsync(IReadOnlyCollection<(long CacheId, string HashPart)> paths, DateTimeOffset at, CancellationToken cancellationToken) =>
        Run(cancellationToken, session =>
        {
            ArgumentNullException.ThrowIfNull(paths);
            using var transaction = session.Connection.BeginTransaction(deferred: false);
            foreach (var (cacheId, hashPart) in paths)
            {
                session.Command(
                    transaction,
                    "UPDATE paths SET last_accessed_at = MAX(last_accessed_at, $p2) WHERE cache_id = $p0 AND hash_part = $p1;",
                    cacheId,
                    hashPart,
                    ToDb(at)).ExecuteNonQuery();
            }
            transaction.Commit();
            return true;
        });

    /// <inheritdoc />
    public Task<bool> IsStorageKeyReferencedAsync(string storageKey, CancellationToken cancellationToken) => Run(cancellationToken, session =>
        Convert.ToInt64(session.Command(
            """
            SELECT EXISTS (SELECT 1 FROM nar_chunks WHERE storage_key = $p0)
                OR EXISTS (SELECT 1 FROM staged_chunks WHERE storage_key = $p0)
                OR EXISTS (SELECT 1 FROM nars WHERE listing_key = $p0)
                OR EXISTS (SELECT 1 FROM staged_nars WHERE listing_key = $p0)
                OR EXISTS (SELECT 1 FROM build_logs WHERE storage_key = $p0);
            """,
            storageKey).ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture) != 0);

    private static bool PathExists(SqliteSession session, SqliteTransaction? transaction, long cacheId, string hashPart)
    {
        const string sql = "SELECT 1 FROM paths WHERE cache_id = $p0 AND hash_part = $p1;";
        var command = transaction is null ? session.Command(sql, cacheId, hashPart) : session.Command(transaction, sql, cacheId, hashPart);
        return command.ExecuteScalar() is not null;
    }

    private static NarRecord ReadNarWithChunks(SqliteDataReader reader, int first) => ReadNarWithChunks(reader, first, out _);

    /// <summary>
    /// Reads a NAR from the current row and its chunks from this and the following rows of the same NAR (columns
    /// <see cref="NarColumns"/> then <see cref="ChunkColumns"/> from <paramref name="first"/>). Leaves the reader on the
    /// first row of the next NAR; <paramref name="more"/> tells whether there is one.
    /// </summary>
    private static NarRecord ReadNarWithChunks(SqliteDataReader reader, int first, out bool more)
    {
        var id = reader.GetInt64(first);
        var chunks = new List<ChunkRecord>(1);
        var nar = new NarRecord(
            id,
            reader.GetString(first + 1),
            reader.GetInt64(first + 2),
            reader.GetString(first + 3),
            reader.GetString(first + 4),
            reader.GetInt64(first + 5),
            chunks,
            reader.IsDBNull(first + 6) ? null : reader.GetString(first + 6),
            FromDb(reader.GetInt64(first + 7)));
        do
        {
            if (reader.GetInt64(first) != id)
            {
                more = true;
                return nar;
            }
            var c = first + 8;
            if (!reader.IsDBNull(c))
            {
                chunks.Add(new ChunkRecord(
                    reader.GetString(c), reader.GetString(c + 1), reader.GetInt64(c + 2),
                    reader.GetString(c + 3), reader.GetInt64(c + 4), reader.GetString(c + 5)));
            }
        }
        while (reader.Read());
        more = false;
        return nar;
    }
}
