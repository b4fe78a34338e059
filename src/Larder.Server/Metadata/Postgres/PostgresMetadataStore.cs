using Larder.Server.Metadata.Relational;

namespace Larder.Server.Metadata.Postgres;

/// <summary>
/// <see cref="IMetadataStore"/> on PostgreSQL, shared by any number of stateless server replicas (see
/// <see cref="PostgresDialect"/>). Idempotent operations that meet a restarting database retry once on fresh connections.
/// </summary>
public sealed class PostgresMetadataStore : RelationalMetadataStore
{
    /// <param name="connectionString">An Npgsql connection string, e.g. <c>Host=db;Database=larder;Username=larder;Password=…</c>.</param>
    /// <param name="time">The clock for release times (default: the system clock).</param>
    public PostgresMetadataStore(string connectionString, TimeProvider? time = null)
        : base(new PostgresDialect(connectionString), time)
    {
    }

    /// <summary>The newest schema version this build knows.</summary>
    public static int LatestVersion => PostgresMigrations.All[^1].Version;
}
