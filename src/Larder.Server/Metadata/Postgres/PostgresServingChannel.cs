using Npgsql;

namespace Larder.Server.Metadata.Postgres;

/// <summary>
/// Serving changes between replicas over PostgreSQL's LISTEN/NOTIFY on one channel. A listener keeps its own connection
/// (not the pool's) and checks it every <see cref="IdleCheck"/> when nothing arrives, so a connection that died
/// silently is noticed.
/// </summary>
internal static class PostgresServingChannel
{
    private const string Channel = "larder_serving";
    private static readonly TimeSpan IdleCheck = TimeSpan.FromSeconds(15);

    /// <summary>Publishes <c>$1</c>: NOTIFY is transactional, so in a transaction it goes out when (and only if) it commits.</summary>
    public const string PublishSql = $"SELECT pg_notify('{Channel}', $1);";

    public static async Task PublishAsync(NpgsqlDataSource dataSource, string notice, CancellationToken cancellationToken)
    {
        try
        {
            await using var command = dataSource.CreateCommand(PublishSql);
            command.Parameters.Add(new NpgsqlParameter { Value = notice });
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (NpgsqlException e)
        {
            throw new MetadataUnavailableException($"PostgreSQL is unavailable: could not publish a serving change: {e.Message}", e);
        }
    }

    public static async Task ListenAsync(NpgsqlDataSource dataSource, Action onListening, Action<string> onNotice, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(onListening);
        ArgumentNullException.ThrowIfNull(onNotice);
        // Pooled connections skip DISCARD ALL when returned (see PostgresDialect): this one is closed, never pooled back.
        var connection = dataSource.CreateConnection();
        await using (connection.ConfigureAwait(false))
        {
            connection.Notification += (_, e) => onNotice(e.Payload);
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using (var listen = new NpgsqlCommand($"LISTEN {Channel};", connection))
            {
                await listen.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
            onListening();
            while (true)
            {
                if (!await connection.WaitAsync(IdleCheck, cancellationToken).ConfigureAwait(false))
                {
                    await using var ping = new NpgsqlCommand("SELECT 1;", connection);
                    await ping.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                }
            }
        }
    }
}
