using Larder.Cli.Client;
using Larder.Cli.Config;
using Larder.Contracts.Caches;
using Larder.Testing;
using Microsoft.Data.Sqlite;

namespace Larder.Cli.Tests.Push;

/// <summary>
/// One real <c>larder serve</c> (SQLite, folder blobs) cutting chunks of 16 KiB / 64 KiB / 256 KiB, so that a few MiB
/// make dozens of chunks, and a way to read and change what it stored through its own database.
/// </summary>
public sealed class SmallChunksServer : IAsyncLifetime
{
    private readonly TempDirectory _root = new("larder-small-chunks");
    private LarderServerProcess? _server;

    public LarderServerProcess Server => _server ?? throw new InvalidOperationException("not started");

    public string Root => _root.Path;

    public async Task InitializeAsync() =>
        _server = await LarderServerProcess.StartAsync(Path.Combine(_root.Path, "data"),
        [
            "--Larder:Chunking:MinSize=16384", "--Larder:Chunking:AverageSize=65536", "--Larder:Chunking:MaxSize=262144",
            "--Larder:Chunking:SingleChunkThreshold=8192",
        ]);

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
        _root.Dispose();
    }

    /// <summary>A client logged in with the admin token, sending its requests through <paramref name="handler"/>.</summary>
    public LarderClient NewClient(HttpMessageHandler handler) =>
        new(new ServerTarget("local", new Uri(Server.BaseUrl + "/"), Server.AdminToken), maxRetries: 0, handler);

    /// <summary>Creates a fresh cache and returns its name.</summary>
    public async Task<string> CreateCacheAsync(LarderClient client, string prefix)
    {
        var name = $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 13)];
        await client.CreateCacheAsync(new CreateCacheRequest(name, Public: true), CancellationToken.None);
        return name;
    }

    /// <summary>The chunks the server holds (all caches) and their uncompressed bytes.</summary>
    public (long Count, long Bytes) StoredChunks() => Count("SELECT COUNT(*), COALESCE(SUM(size), 0) FROM chunks");

    /// <summary>The objects (packs and lone chunks) holding the chunks of the stored NAR with <paramref name="narHash"/>.</summary>
    public long ObjectsOfNar(string narHash) => Count(
        """
        SELECT COUNT(DISTINCT COALESCE(c.pack_key, c.storage_key)), 0
        FROM nars n JOIN nar_chunks nc ON nc.nar_id = n.id JOIN chunks c ON c.id = nc.chunk_id WHERE n.nar_hash = $narHash
        """, narHash).Count;

    private (long Count, long Bytes) Count(string sql, string? narHash = null)
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        if (narHash is not null)
        {
            command.Parameters.AddWithValue("$narHash", narHash);
        }
        using var reader = command.ExecuteReader();
        reader.Read();
        return (reader.GetInt64(0), reader.GetInt64(1));
    }

    /// <summary>The ordered chunk hashes of the stored NAR with <paramref name="narHash"/> (empty when there is none).</summary>
    public IReadOnlyList<string> ChunksOfNar(string narHash)
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT c.hash FROM nars n JOIN nar_chunks nc ON nc.nar_id = n.id JOIN chunks c ON c.id = nc.chunk_id
            WHERE n.nar_hash = $narHash ORDER BY nc.seq
            """;
        command.Parameters.AddWithValue("$narHash", narHash);
        using var reader = command.ExecuteReader();
        var hashes = new List<string>();
        while (reader.Read())
        {
            hashes.Add(reader.GetString(0));
        }
        return hashes;
    }

    /// <summary>
    /// Deletes a chunk no NAR holds yet, row and blob (a packed chunk: its row only), as garbage collection of an
    /// abandoned upload would.
    /// </summary>
    public void LoseChunk(string hash)
    {
        using var connection = Open();
        using var select = connection.CreateCommand();
        select.CommandText = "SELECT COALESCE(pack_key, storage_key), pack_key IS NOT NULL FROM chunks WHERE hash = $hash AND holders = 0";
        select.Parameters.AddWithValue("$hash", hash);
        string key;
        bool packed;
        using (var reader = select.ExecuteReader())
        {
            Assert.True(reader.Read(), $"the server holds no unused chunk {hash}");
            (key, packed) = (reader.GetString(0), reader.GetBoolean(1));
        }
        using var delete = connection.CreateCommand();
        delete.CommandText = "DELETE FROM chunks WHERE hash = $hash";
        delete.Parameters.AddWithValue("$hash", hash);
        Assert.Equal(1, delete.ExecuteNonQuery());
        if (packed)
        {
            // The pack's other chunks stay: only this chunk is unknown now.
            return;
        }
        var blob = Directory.EnumerateFiles(Server.DataDirectory, "*", SearchOption.AllDirectories)
            .Single(file => file.EndsWith(key, StringComparison.Ordinal));
        File.Delete(blob);
    }

    private SqliteConnection Open()
    {
        var connection = new SqliteConnection($"Data Source={Path.Combine(Server.DataDirectory, "larder.db")};Default Timeout=30");
        connection.Open();
        return connection;
    }
}
