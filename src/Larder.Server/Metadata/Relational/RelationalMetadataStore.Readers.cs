using System.Data.Common;

namespace Larder.Server.Metadata.Relational;

public abstract partial class RelationalMetadataStore
{
    private const string NarColumns = "n.id, n.nar_hash, n.nar_size, n.compression, n.file_hash, n.file_size, n.listing_key, n.created_at";
    private const string ChunkColumns = "c.hash, c.storage_key, c.size, c.stored_hash, c.stored_size, c.compression, c.pack_key, c.pack_offset";
    private const string NarChunksJoin = "LEFT JOIN nar_chunks nc ON nc.nar_id = n.id LEFT JOIN chunks c ON c.id = nc.chunk_id";

    /// <summary>
    /// Reads a NAR from the current row and its chunks from this and the following rows of the same NAR (columns
    /// <see cref="NarColumns"/> then <see cref="ChunkColumns"/> from <paramref name="first"/>). Leaves the reader on the
    /// first row of the next NAR and tells whether there is one.
    /// </summary>
    private async Task<(NarRecord Nar, bool More)> ReadNarWithChunksAsync(DbDataReader reader, int first, CancellationToken ct)
    {
        var chunks = new List<ChunkRecord>(1);
        var nar = new NarRecord(
            reader.GetInt64(first),
            reader.GetString(first + 1),
            reader.GetInt64(first + 2),
            reader.GetString(first + 3),
            reader.GetString(first + 4),
            reader.GetInt64(first + 5),
            chunks,
            ReadNullableString(reader, first + 6),
            _dialect.ReadTime(reader, first + 7));
        var more = await ReadChunksAsync(reader, first, first + 8, chunks, ct).ConfigureAwait(false);
        return (nar, more);
    }

    /// <summary>
    /// Adds the chunk (columns <see cref="ChunkColumns"/> from <paramref name="chunkColumn"/>) of this and each following
    /// row whose owner id (column <paramref name="ownerColumn"/>) is the current one; true when the reader stopped on
    /// the next owner's row, false at the end.
    /// </summary>
    private static async Task<bool> ReadChunksAsync(DbDataReader reader, int ownerColumn, int chunkColumn, List<ChunkRecord> chunks, CancellationToken ct)
    {
        var owner = reader.GetInt64(ownerColumn);
        do
        {
            if (reader.GetInt64(ownerColumn) != owner)
            {
                return true;
            }
            if (!reader.IsDBNull(chunkColumn))
            {
                chunks.Add(ReadChunk(reader, chunkColumn));
            }
        }
        while (await reader.ReadAsync(ct).ConfigureAwait(false));
        return false;
    }

    /// <summary>Every NAR of <paramref name="sql"/> (columns <see cref="NarColumns"/> then <see cref="ChunkColumns"/>, ordered by NAR then chunk).</summary>
    private async Task<IReadOnlyList<NarRecord>> ReadNarsAsync(DbSession session, string sql, CancellationToken ct, params object?[] args)
    {
        await using var reader = await session.ReaderAsync(sql, ct, args).ConfigureAwait(false);
        var nars = new List<NarRecord>();
        var more = await reader.ReadAsync(ct).ConfigureAwait(false);
        while (more)
        {
            (var nar, more) = await ReadNarWithChunksAsync(reader, 0, ct).ConfigureAwait(false);
            nars.Add(nar);
        }
        return nars;
    }

    /// <summary>A chunk from the columns <see cref="ChunkColumns"/> starting at <paramref name="first"/>.</summary>
    private static ChunkRecord ReadChunk(DbDataReader reader, int first) => new(
        reader.GetString(first), reader.GetString(first + 1), reader.GetInt64(first + 2),
        reader.GetString(first + 3), reader.GetInt64(first + 4), reader.GetString(first + 5),
        ReadNullableString(reader, first + 6), reader.IsDBNull(first + 7) ? 0 : reader.GetInt64(first + 7));

    /// <summary>Every row of <paramref name="sql"/>, each read by <paramref name="read"/>.</summary>
    private static async Task<IReadOnlyList<T>> ReadAllAsync<T>(
        DbSession session, string sql, Func<DbDataReader, T> read, CancellationToken ct, params object?[] args)
    {
        await using var reader = await session.ReaderAsync(sql, ct, args).ConfigureAwait(false);
        var rows = new List<T>();
        while (await reader.ReadAsync(ct).ConfigureAwait(false))
        {
            rows.Add(read(reader));
        }
        return rows;
    }

    private DateTimeOffset? ReadNullableTime(DbDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : _dialect.ReadTime(reader, ordinal);

    private static string? ReadNullableString(DbDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);
}
