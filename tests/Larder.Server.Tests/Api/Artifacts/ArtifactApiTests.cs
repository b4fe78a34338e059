using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using Larder.Contracts.Artifacts;
using Larder.Nix.Compression;
using Larder.Server.Metadata;
using Microsoft.Data.Sqlite;

namespace Larder.Server.Tests.Api.Artifacts;

/// <summary>The artifact endpoints on the real in-process server: save, restore with fallbacks, list, delete, retention, key rules.</summary>
public sealed class ArtifactApiTests : IAsyncLifetime
{
    private LarderApplication _app = null!;
    private HttpClient _client = null!;
    private string _cache = "";

    public async Task InitializeAsync()
    {
        _app = await LarderApplication.StartAsync();
        _cache = (await _app.CreateCacheAsync($"art-{Guid.NewGuid():N}"[..20])).Name;
        _client = _app.CreateClient(_app.AdminToken);
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _app.DisposeAsync();
    }

    private string ArtifactUrl(string key, string query = "") => $"api/v1/caches/{_cache}/artifacts/{key}{query}";

    private static byte[] RandomArchive(int size = 1 << 20) => RandomNumberGenerator.GetBytes(size);

    private static string Sha256(byte[] data) => Convert.ToHexStringLower(SHA256.HashData(data));

    private async Task<HttpResponseMessage> PutAsync(string key, byte[] archive, string? sha256 = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, ArtifactUrl(key)) { Content = new ByteArrayContent(archive) };
        request.Headers.Add(ArtifactHeaders.Sha256, sha256 ?? Sha256(archive));
        return await _client.SendAsync(request);
    }

    private async Task SaveAsync(string key, byte[] archive)
    {
        using var response = await PutAsync(key, archive);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    /// <summary>The archive a restore answers, decompressed, with the key that had it.</summary>
    private async Task<(string Key, byte[] Archive)> RestoreAsync(string key, params string[] fallbacks)
    {
        var query = string.Concat(fallbacks.Select((f, i) => $"{(i == 0 ? '?' : '&')}fallback={f}"));
        using var response = await _client.GetAsync(ArtifactUrl(key, query));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("zstd", Assert.Single(response.Content.Headers.ContentEncoding));
        await using var zstd = Codecs.Decompress(await response.Content.ReadAsStreamAsync(), CompressionKind.Zstd, leaveOpen: false);
        using var archive = new MemoryStream();
        await zstd.CopyToAsync(archive);
        Assert.Equal(Sha256(archive.ToArray()), response.Headers.GetValues(ArtifactHeaders.Sha256).Single());
        return (response.Headers.GetValues(ArtifactHeaders.Key).Single(), archive.ToArray());
    }

    private long[] ChunkHolders()
    {
        using var connection = new SqliteConnection($"Data Source={Path.Combine(_app.DataDir, "larder.db")};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT holders FROM chunks ORDER BY id;";
        using var reader = command.ExecuteReader();
        var holders = new List<long>();
        while (reader.Read())
        {
            holders.Add(reader.GetInt64(0));
        }
        return [.. holders];
    }

    [Fact]
    public async Task A_saved_archive_restores_byte_for_byte_and_holds_its_chunks_until_deleted()
    {
        var archive = RandomArchive(3 << 20);
        await SaveAsync("build-main", archive);

        var (key, restored) = await RestoreAsync("build-main");
        Assert.Equal("build-main", key);
        Assert.Equal(archive, restored);
        var holders = ChunkHolders();
        Assert.True(holders.Length > 1, "a 3 MiB archive is cut into several chunks");
        Assert.All(holders, count => Assert.Equal(1, count));

        using var deleted = await _client.DeleteAsync(ArtifactUrl("build-main"));
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.All(ChunkHolders(), count => Assert.Equal(0, count));
        using var gone = await _client.GetAsync(ArtifactUrl("build-main"));
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        Assert.Contains($"\"code\":\"{ArtifactHeaders.MissingCode}\"", await gone.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_upload_whose_sha256_differs_is_refused_and_nothing_is_saved()
    {
        var archive = RandomArchive();
        using var response = await PutAsync("bad-hash", archive, Sha256([1, 2, 3]));

        await ApiAssert.ErrorAsync(response, HttpStatusCode.BadRequest, "nothing was saved");
        Assert.Empty(await _app.Metadata.ListArtifactsAsync((await _app.Metadata.GetCacheAsync(_cache, default))!.Id, default));
    }

    [Theory]
    [InlineData("first", new[] { "second", "third" }, "second")]
    [InlineData("first", new[] { "third", "second" }, "third")]
    [InlineData("second", new[] { "third" }, "second")]
    public async Task A_restore_answers_the_first_key_in_order_that_has_an_archive(string key, string[] fallbacks, string expected)
    {
        var second = RandomArchive(1000);
        var third = RandomArchive(1000);
        await SaveAsync("second", second);
        await SaveAsync("third", third);

        var (found, archive) = await RestoreAsync(key, fallbacks);

        Assert.Equal(expected, found);
        Assert.Equal(expected == "second" ? second : third, archive);
    }

    [Theory]
    [InlineData("a..b", "contains '..'")]
    [InlineData("a/b", "contains '/'")]
    [InlineData("a%2Fb", "contains")]
    [InlineData("a%01b", "U+0001")]
    [InlineData("a%20b", "U+0020")]
    [InlineData("a%5Cb", "contains '\\'")]
    [InlineData(".hidden", "must start with a letter or digit")]
    public async Task Keys_with_path_tricks_are_refused_naming_the_problem(string rawKey, string problem)
    {
        using var response = await PutAsync(rawKey, RandomArchive(100));
        await ApiAssert.ErrorAsync(response, HttpStatusCode.BadRequest, problem);
        using var restore = await _client.GetAsync(ArtifactUrl("fine", $"?fallback={rawKey}"));
        await ApiAssert.ErrorAsync(restore, HttpStatusCode.BadRequest, problem);
    }

    [Fact]
    public async Task Retention_keeps_the_newest_uploads_of_each_key()
    {
        using var policy = await _client.PutAsync(
            $"api/v1/caches/{_cache}/artifact-retention",
            new StringContent("""{"keepPerKey":2}""", new MediaTypeHeaderValue("application/json")));
        Assert.Equal(HttpStatusCode.OK, policy.StatusCode);
        var uploads = Enumerable.Range(0, 4).Select(_ => RandomArchive(500)).ToList();
        foreach (var upload in uploads)
        {
            await SaveAsync("rolling", upload);
        }
        await SaveAsync("other", RandomArchive(500));

        var listed = await _app.Metadata.ListArtifactsAsync((await _app.Metadata.GetCacheAsync(_cache, default))!.Id, default);

        Assert.Equal(new[] { uploads[3], uploads[2] }.Select(Sha256), listed.Where(a => a.Key == "rolling").Select(a => a.Sha256));
        Assert.Single(listed, a => a.Key == "other");
        Assert.Equal(uploads[3], (await RestoreAsync("rolling")).Archive);
    }

    [Fact]
    public async Task An_anonymous_caller_may_neither_save_nor_restore_in_a_private_cache()
    {
        await SaveAsync("private", RandomArchive(100));
        using var anonymous = _app.CreateClient();

        using var restore = await anonymous.GetAsync(ArtifactUrl("private"));
        using var save = await anonymous.PutAsync(ArtifactUrl("private"), new ByteArrayContent([1]));

        Assert.Equal(HttpStatusCode.Unauthorized, restore.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, save.StatusCode);
    }
}
