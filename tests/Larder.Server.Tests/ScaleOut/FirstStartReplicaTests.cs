using Larder.Server.Access;
using Larder.Testing;
using Npgsql;

namespace Larder.Server.Tests.ScaleOut;

/// <summary>Real <c>larder serve</c> replicas started at the same moment on one fresh PostgreSQL database.</summary>
[Trait("Category", "EndToEnd")]
public sealed class FirstStartReplicaTests
{
    [Fact]
    public async Task Two_replicas_starting_at_once_on_an_empty_database_create_one_admin_token()
    {
        for (var round = 0; round < 3; round++)
        {
            await using var database = await PostgresTestDatabase.CreateAsync();
            using var data = new TempDirectory("larder-first-start");
            string[] args =
            [
                "--Larder:Database:Kind=postgres",
                $"--Larder:Database:ConnectionString={database.ConnectionString}",
                $"--Larder:Storage:Folder:Path={Path.Combine(data.Path, "blobs")}",
            ];
            var dirs = new[] { Path.Combine(data.Path, "a"), Path.Combine(data.Path, "b") };

            var servers = await Task.WhenAll(dirs.Select(dir => LarderServerProcess.StartAsync(dir, args)));
            try
            {
                var tokenFiles = dirs.Where(dir => File.Exists(Path.Combine(dir, AdminTokenBootstrap.FileName))).ToList();
                Assert.Single(tokenFiles);
                Assert.Equal(1L, await CountTokensAsync(database));
            }
            finally
            {
                foreach (var server in servers)
                {
                    await server.DisposeAsync();
                }
            }
        }
    }

    private static async Task<long> CountTokensAsync(PostgresTestDatabase database)
    {
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT count(*) FROM tokens;", connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
