using Larder.Testing;
using Npgsql;

namespace Larder.Server.Tests.ScaleOut;

/// <summary>A uniquely named, empty database on the test PostgreSQL server (<c>LARDER_TEST_POSTGRES</c>), dropped on dispose.</summary>
public sealed class PostgresTestDatabase : IAsyncDisposable
{
    private readonly string _adminConnectionString;

    private PostgresTestDatabase(string adminConnectionString, string name)
    {
        _adminConnectionString = adminConnectionString;
        Name = name;
        ConnectionString = new NpgsqlConnectionStringBuilder(adminConnectionString) { Database = name }.ToString();
    }

    public string Name { get; }

    /// <summary>An Npgsql connection string to this database.</summary>
    public string ConnectionString { get; }

    /// <summary>Creates a fresh database on the server named by <c>LARDER_TEST_POSTGRES</c>, or <paramref name="serverConnectionString"/>.</summary>
    public static async Task<PostgresTestDatabase> CreateAsync(string? serverConnectionString = null)
    {
        var admin = serverConnectionString ?? TestServices.PostgresConnectionString;
        var name = $"larder_test_{Guid.NewGuid():N}";
        await using var connection = new NpgsqlConnection(admin);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"CREATE DATABASE {name};", connection);
        await command.ExecuteNonQueryAsync();
        return new PostgresTestDatabase(admin, name);
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        try
        {
            await using var connection = new NpgsqlConnection(_adminConnectionString);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS {Name} WITH (FORCE);", connection);
            await command.ExecuteNonQueryAsync();
        }
        catch (NpgsqlException)
        {
            // The server is gone (a fault test stopped its own cluster): nothing left to drop.
        }
    }
}
