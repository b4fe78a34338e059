using System.Net;
using System.Net.Http.Json;
using Larder.Contracts.Push;
using Larder.Contracts.Tokens;
using Larder.Nix.Compression;
using Larder.Server.Tests.BinaryCache;
using Larder.Testing;
using Npgsql;

namespace Larder.Server.Tests.ScaleOut;

/// <summary>
/// Resumable <c>/api/v1</c> uploads on two in-process replicas sharing one PostgreSQL database and one real S3 bucket:
/// nothing of an upload stays on the replica that received it.
/// </summary>
public sealed class ResumableUploadReplicaTests : IAsyncLifetime
{
    private PostgresTestDatabase _database = null!;
    private S3TestBucket _bucket = null!;
    private readonly TempDirectory _data = new("larder-upload-replicas");
    private LarderApplication _a = null!;
    private LarderApplication _b = null!;

    public async Task InitializeAsync()
    {
        _database = await PostgresTestDatabase.CreateAsync();
        _bucket = await S3TestBucket.CreateAsync();
        string[] args = ["--Larder:Database:Kind=postgres", $"--Larder:Database:ConnectionString={_database.ConnectionString}", .. _bucket.ServerArgs()];
        _a = await LarderApplication.StartAsync(Path.Combine(_data.Path, "a"), args);
        var dataB = Directory.CreateDirectory(Path.Combine(_data.Path, "b")).FullName;
        File.Copy(Path.Combine(_a.DataDir, "admin-token"), Path.Combine(dataB, "admin-token"));
        _b = await LarderApplication.StartAsync(dataB, args);
    }

    public async Task DisposeAsync()
    {
        await _b.DisposeAsync();
        await _a.DisposeAsync();
        await _bucket.DisposeAsync();
        await _database.DisposeAsync();
        _data.Dispose();
    }

    [Fact]
    public async Task An_upload_begun_on_one_replica_is_continued_and_completed_on_the_other_after_the_first_stops()
    {
        var (cache, secret) = await WritableCacheAsync();
        var path = await PushedPath.CreateAsync(CompressionKind.None, nar: await NarFixtures.FileAsync(300_000, (byte)'u'));
        using var writerA = _a.CreateClient(secret);
        var session = await CreateUploadAsync(writerA, cache, path);
        var half = path.Nar.Length / 2;
        Assert.Equal(half, (await AppendAsync(writerA, cache, session.Id, 0, path.Nar[..half])).ReceivedBytes);
        await _a.App.StopAsync();

        using var writerB = _b.CreateClient(secret);
        var resumed = await writerB.GetFromJsonAsync($"api/v1/caches/{cache}/uploads/{session.Id}", PushJsonContext.Default.UploadSessionInfo);
        using var stale = await SendPartAsync(writerB, cache, session.Id, 0, path.Nar[..10]);
        Assert.Equal(half, resumed!.ReceivedBytes);
        Assert.Equal(HttpStatusCode.Conflict, stale.StatusCode);
        Assert.Equal(path.Nar.Length, (await AppendAsync(writerB, cache, session.Id, half, path.Nar[half..])).ReceivedBytes);
        using var completed = await writerB.PostAsync($"api/v1/caches/{cache}/uploads/{session.Id}/complete", null);

        Assert.Equal(HttpStatusCode.Created, completed.StatusCode);
        var narInfo = await writerB.GetStringAsync($"{cache}/{path.HashPart}.narinfo");
        Assert.Contains($"NarHash: {path.Info.NarHash.ToNix32String()}", narInfo, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(_a.DataDir, "*.part", SearchOption.AllDirectories));
        // Completing queued both parts for deletion; nothing of the session is left in the database.
        Assert.Equal(2L, await CountAsync("SELECT count(*) FROM blob_deletions WHERE storage_key LIKE 'uploads/%' AND due_at <= now();"));
        Assert.Equal(0L, await CountAsync("SELECT count(*) FROM upload_sessions;"));
        Assert.Equal(0L, await CountAsync("SELECT count(*) FROM upload_parts;"));
    }

    [Fact]
    public async Task Parts_racing_for_one_offset_on_both_replicas_keep_exactly_one()
    {
        var (cache, secret) = await WritableCacheAsync();
        var path = await PushedPath.CreateAsync(CompressionKind.None, nar: await NarFixtures.FileAsync(200_000, (byte)'r'));
        using var writerA = _a.CreateClient(secret);
        using var writerB = _b.CreateClient(secret);
        var session = await CreateUploadAsync(writerA, cache, path);

        var answers = await Task.WhenAll(
            SendPartAsync(writerA, cache, session.Id, 0, path.Nar[..150_000]),
            SendPartAsync(writerB, cache, session.Id, 0, path.Nar[..100_000]));

        Assert.Single(answers, a => a.StatusCode == HttpStatusCode.OK);
        Assert.Single(answers, a => a.StatusCode == HttpStatusCode.Conflict);
        var winner = answers[0].StatusCode == HttpStatusCode.OK ? 150_000 : 100_000;
        var held = await writerB.GetFromJsonAsync($"api/v1/caches/{cache}/uploads/{session.Id}", PushJsonContext.Default.UploadSessionInfo);
        Assert.Equal(winner, held!.ReceivedBytes);
        Assert.Equal(1L, await CountAsync("SELECT count(*) FROM upload_parts;"));
        foreach (var answer in answers)
        {
            answer.Dispose();
        }
    }

    private async Task<(string Cache, string Secret)> WritableCacheAsync()
    {
        var cache = await _a.CreateCacheAsync("up-" + Guid.NewGuid().ToString("N")[..16], isPublic: true);
        var (secret, _) = await _a.CreateTokenAsync(new GrantDto(cache.Name, ["read", "write"]));
        return (cache.Name, secret);
    }

    private static async Task<UploadSessionInfo> CreateUploadAsync(HttpClient client, string cache, PushedPath path)
    {
        var metadata = new PushPathMetadata(path.Info.StorePath.FullPath, path.Info.NarHash.ToNix32String(), path.Info.NarSize, [], null, [], null);
        using var response = await client.PostAsJsonAsync(
            $"api/v1/caches/{cache}/uploads", new CreateUploadRequest(metadata, "none"), PushJsonContext.Default.CreateUploadRequest);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync(PushJsonContext.Default.UploadSessionInfo))!;
    }

    private static async Task<UploadSessionInfo> AppendAsync(HttpClient client, string cache, string id, long offset, byte[] part)
    {
        using var response = await SendPartAsync(client, cache, id, offset, part);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync(PushJsonContext.Default.UploadSessionInfo))!;
    }

    private static Task<HttpResponseMessage> SendPartAsync(HttpClient client, string cache, string id, long offset, byte[] part)
    {
        var request = new HttpRequestMessage(HttpMethod.Patch, $"api/v1/caches/{cache}/uploads/{id}") { Content = new ByteArrayContent(part) };
        request.Headers.Add(PushProtocol.UploadOffsetHeader, offset.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return client.SendAsync(request);
    }

    private async Task<long> CountAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(_database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
