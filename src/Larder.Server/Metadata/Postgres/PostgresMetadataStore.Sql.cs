using Npgsql;

namespace Larder.Server.Metadata.Postgres;

public sealed partial class PostgresMetadataStore
{
    /// <summary>A command with positional parameters <c>$1…</c>; see <see cref="ToDb(object?)"/> for how values are sent.</summary>
    private static NpgsqlCommand Command(NpgsqlConnection connection, NpgsqlTransaction? transaction, string sql, params object?[] args)
    {
        var command = new NpgsqlCommand(sql, connection, transaction);
        foreach (var arg in args)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = ToDb(arg) });
        }
        return command;
    }

    private static async Task<int> Execute(NpgsqlConnection connection, NpgsqlTransaction? transaction, string sql, CancellationToken ct, params object?[] args)
    {
        await using var command = Command(connection, transaction, sql, args);
        return await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }

    private static async Task<object?> Scalar(NpgsqlConnection connection, NpgsqlTransaction? transaction, string sql, CancellationToken ct, params object?[] args)
    {
        await using var command = Command(connection, transaction, sql, args);
        var value = await command.ExecuteScalarAsync(ct).ConfigureAwait(false);
        return value is DBNull ? null : value;
    }

    /// <summary>Times go in as UTC cut to whole milliseconds (what SQLite keeps too), lists as <c>text[]</c>, null as NULL.</summary>
    private static object ToDb(object? value) => value switch
    {
        null => DBNull.Value,
        DateTimeOffset at => ToDb(at),
        string text => text,
        IEnumerable<string> list => list as string[] ?? [.. list],
        _ => value,
    };

    private static DateTime ToDb(DateTimeOffset at)
    {
        var utc = at.UtcDateTime;
        return new DateTime(utc.Ticks - (utc.Ticks % TimeSpan.TicksPerMillisecond), DateTimeKind.Utc);
    }

    private static DateTimeOffset ReadTime(NpgsqlDataReader reader, int ordinal) =>
        new(DateTime.SpecifyKind(reader.GetDateTime(ordinal), DateTimeKind.Utc));

    private static DateTimeOffset? ReadNullableTime(NpgsqlDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : ReadTime(reader, ordinal);

    private static string? ReadNullableString(NpgsqlDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    private static IReadOnlyList<string> ReadList(NpgsqlDataReader reader, int ordinal) => reader.GetFieldValue<string[]>(ordinal);
}
