using Larder.Server.Metadata.Relational;
using Microsoft.Data.Sqlite;

namespace Larder.Server.Metadata.Sqlite;

/// <summary><see cref="IMetadataStore"/> on an embedded SQLite database (see <see cref="SqliteDialect"/>).</summary>
public sealed class SqliteMetadataStore : RelationalMetadataStore
{
    /// <param name="connectionString">A Microsoft.Data.Sqlite connection string, e.g. <c>Data Source=/data/larder.db</c>.</param>
    /// <param name="time">The clock for release times (default: the system clock).</param>
    public SqliteMetadataStore(string connectionString, TimeProvider? time = null)
        : base(new SqliteDialect(connectionString), time)
    {
    }

    /// <summary>A store on the database file at <paramref name="path"/> (created if missing).</summary>
    public static SqliteMetadataStore ForFile(string path, TimeProvider? time = null) =>
        new(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadWriteCreate }.ToString(), time);
}
