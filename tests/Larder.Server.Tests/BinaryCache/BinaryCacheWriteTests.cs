using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Larder.Contracts.Tokens;
using Larder.Nix.Compression;
using Larder.Nix.Hashing;
using Larder.Nix.Signing;
using Larder.Nix.Store;
using NarInfoRecord = Larder.Nix.NarInfo.NarInfo;

namespace Larder.Server.Tests.BinaryCache;

/// <summary>The write side of the binary cache protocol over HTTP, as <c>nix copy --to http://…</c> drives it.</summary>
public sealed class BinaryCacheWriteTests(LarderApplicationFixture fixture) : IClassFixture<LarderApplicationFixture>
{
    private LarderApplication App => fixture.App;

    public static TheoryData<CompressionKind> Compressions() =>
        new(CompressionKind.None, CompressionKind.Xz, CompressionKind.Zstd, CompressionKind.Bzip2, CompressionKind.Brotli, CompressionKind.Gzip);

    [Theory]
    [MemberData(nameof(Compressions))]
    public async Task Push_makes_the_path_visible_as_zstd_signed_by_the_cache_key(CompressionKind compression)
    {
        var (cache, client) = await CacheWithWriterAsync();
        var path = await PushedPath.CreateAsync(compression);

        await path.PushAsync(client, cache.Name);

        using var anonymous = App.CreateClient();
        var served = NarInfoRecord.Parse(await anonymous.GetStringAsync($"{cache.Name}/{path.HashPart}.narinfo"));
        Assert.Equal(path.Info.StorePath, served.StorePath);
        Assert.Equal(path.Info.NarHash, served.NarHash);
        Assert.Equal(path.Info.NarSize, served.NarSize);
        Assert.Equal("zstd", served.Compression);
        Assert.Equal($"nar/{served.FileHash!.Value.ToBase32()}.nar.zst", served.Url);
        Assert.True(served.VerifySignatures([PublicKey.Parse(cache.PublicKey)]), "the cache key's signature does not verify");

        var file = await anonymous.GetByteArrayAsync($"{cache.Name}/{served.Url}");
        Assert.Equal(served.FileSize, file.Length);
        Assert.Equal(served.FileHash, NixHash.Compute(HashKind.Sha256, file));
        Assert.Equal(path.Nar, await NarFixtures.DecompressAsync(file, CompressionKind.Zstd));
    }

    [Fact]
    public async Task Push_keeps_the_pushers_signatures_beside_the_cache_key()
    {
        var (cache, client) = await CacheWithWriterAsync();
        var pusherKey = SecretKey.Generate("pusher-1");
        var path = await PushedPath.CreateAsync();
        path = path.With(path.Info.Sign(pusherKey));

        await path.PushAsync(client, cache.Name);

        var served = NarInfoRecord.Parse(await client.GetStringAsync($"{cache.Name}/{path.HashPart}.narinfo"));
        Assert.Equal(2, served.Signatures.Count);
        Assert.True(served.VerifySignatures([pusherKey.PublicKey]));
        Assert.True(served.VerifySignatures([PublicKey.Parse(cache.PublicKey)]));
    }

    [Fact]
    public async Task An_uploaded_nar_stays_invisible_until_its_narinfo_is_put()
    {
        var (cache, client) = await CacheWithWriterAsync();
        var path = await PushedPath.CreateAsync(CompressionKind.Xz);

        using (var put = await path.PutNarAsync(client, cache.Name))
        {
            await BinaryCacheAssert.SuccessAsync(put);
        }

        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"{cache.Name}/{path.HashPart}.narinfo")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"{cache.Name}/{path.UploadUrl}")).StatusCode);
        // Nix asks with HEAD before uploading; a staged upload answers yes so a retry need not send it again.
        using var head = await client.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"{cache.Name}/{path.UploadUrl}"));
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
    }

    [Fact]
    public async Task Putting_the_narinfo_of_a_present_path_again_is_idempotent()
    {
        var (cache, client) = await CacheWithWriterAsync();
        var path = await PushedPath.CreateAsync();
        await path.PushAsync(client, cache.Name);

        using var again = await path.PutNarInfoAsync(client, cache.Name);

        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
    }

    [Fact]
    public async Task Concurrent_pushes_of_the_same_path_both_succeed_and_publish_it_once()
    {
        var (cache, client) = await CacheWithWriterAsync();
        var path = await PushedPath.CreateAsync();

        await Task.WhenAll(path.PushAsync(client, cache.Name), path.PushAsync(client, cache.Name), path.PushAsync(client, cache.Name));

        var stats = await App.Metadata.GetCacheStatsAsync((await App.Metadata.GetCacheAsync(cache.Name, default))!.Id, default);
        Assert.Equal(1, stats.PathCount);
    }

    [Fact]
    public async Task A_path_whose_references_are_present_can_be_pushed_after_them()
    {
        var (cache, client) = await CacheWithWriterAsync();
        var dependency = await PushedPath.CreateAsync(name: "dep");
        await dependency.PushAsync(client, cache.Name);
        var path = await PushedPath.CreateAsync(references: [dependency.Info.StorePath.BaseName]);

        await path.PushAsync(client, cache.Name);

        var served = NarInfoRecord.Parse(await client.GetStringAsync($"{cache.Name}/{path.HashPart}.narinfo"));
        Assert.Equal([dependency.Info.StorePath.BaseName], served.References);
    }

    public static TheoryData<string, Func<PushedPath, string>, string[]> BadNarInfos() => new()
    {
        { "malformed line", p => p.Info.Render().Replace("NarSize: ", "NarSize: x", StringComparison.Ordinal), ["line 7", "NarSize"] },
        { "missing field", p => string.Join('\n', p.Info.Render().Split('\n').Where(l => !l.StartsWith("NarHash", StringComparison.Ordinal))), ["NarHash"] },
        { "NarHash", p => Render(p.Info with { NarHash = NixHash.Compute(HashKind.Sha256, "other"u8) }), ["NarHash mismatch"] },
        { "NarSize", p => Render(p.Info with { NarSize = p.Info.NarSize + 8 }), ["NarSize mismatch"] },
        { "FileHash", p => Render(p.Info with { FileHash = NixHash.Compute(HashKind.Sha256, "other"u8) }), ["FileHash mismatch"] },
        { "FileSize", p => Render(p.Info with { FileSize = p.Info.FileSize + 1 }), ["FileSize mismatch"] },
        { "store dir", p => Render(p.Info with { StorePath = StorePath.Parse("/opt/store/" + p.Info.StorePath.BaseName) }), ["/opt/store", "store directory"] },
        { "no upload", p => Render(p.Info with { Url = "nar/" + new string('1', 52) + ".nar.xz" }), ["no NAR was uploaded"] },
        {
            "missing references",
            p => Render(p.Info with { References = [PushedPath.RandomHashPart() + "-absent-a", PushedPath.RandomHashPart() + "-absent-b"] }),
            ["lacks references", "-absent-a", "-absent-b"]
        },
        { "bad reference", p => Render(p.Info with { References = ["not-a-store-path"] }), ["not-a-store-path"] },
    };

    [Theory]
    [MemberData(nameof(BadNarInfos))]
    public async Task Bad_narinfo_is_refused_with_400_naming_the_problem_and_publishes_nothing(
        string what, Func<PushedPath, string> narInfo, string[] expected)
    {
        var (cache, client) = await CacheWithWriterAsync();
        var path = await PushedPath.CreateAsync(CompressionKind.Gzip);
        using (var put = await path.PutNarAsync(client, cache.Name))
        {
            await BinaryCacheAssert.SuccessAsync(put);
        }

        using var response = await path.PutNarInfoTextAsync(client, cache.Name, narInfo(path));

        var message = await BinaryCacheAssert.ErrorAsync(response, HttpStatusCode.BadRequest, expected);
        Assert.False(string.IsNullOrWhiteSpace(message), what);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"{cache.Name}/{path.HashPart}.narinfo")).StatusCode);
    }

    [Fact]
    public async Task Narinfo_put_under_another_hash_is_refused()
    {
        var (cache, client) = await CacheWithWriterAsync();
        var path = await PushedPath.CreateAsync();
        await BinaryCacheAssert.SuccessAsync(await path.PutNarAsync(client, cache.Name));
        var content = new StringContent(path.Info.Render(), Encoding.UTF8, "text/x-nix-narinfo");

        using var response = await client.PutAsync($"{cache.Name}/{PushedPath.RandomHashPart()}.narinfo", content);

        await BinaryCacheAssert.ErrorAsync(response, HttpStatusCode.BadRequest, "was uploaded as");
    }

    [Fact]
    public async Task A_different_nar_for_a_present_path_is_a_conflict()
    {
        var (cache, client) = await CacheWithWriterAsync();
        var path = await PushedPath.CreateAsync();
        await path.PushAsync(client, cache.Name);
        var other = await PushedPath.CreateAsync();
        other = other.With(other.Info with { StorePath = path.Info.StorePath });
        await BinaryCacheAssert.SuccessAsync(await other.PutNarAsync(client, cache.Name));

        using var response = await other.PutNarInfoAsync(client, cache.Name);

        await BinaryCacheAssert.ErrorAsync(response, HttpStatusCode.Conflict, "different NarHash");
    }

    public static TheoryData<string, HttpStatusCode, string> BadNarUrls() => new()
    {
        { "nar/" + new string('1', 52) + ".nar.lz4", HttpStatusCode.BadRequest, "unknown compression extension '.lz4'" },
        { "nar/short.nar.xz", HttpStatusCode.BadRequest, "FileHash" },
        { "nar/" + new string('e', 52) + ".nar", HttpStatusCode.BadRequest, "not a NAR file name" },
        { "nar/..%2F..%2Fetc%2Fpasswd.nar", HttpStatusCode.BadRequest, "not a NAR file name" },
    };

    [Theory]
    [MemberData(nameof(BadNarUrls))]
    public async Task Nar_upload_to_a_bad_url_is_refused(string url, HttpStatusCode status, string expected)
    {
        var (cache, client) = await CacheWithWriterAsync();
        var nar = await NarFixtures.TreeAsync();

        using var response = await client.PutAsync($"{cache.Name}/{url}", new ByteArrayContent(nar));

        await BinaryCacheAssert.ErrorAsync(response, status, expected);
        AssertNoStagingFiles();
    }

    [Fact]
    public async Task Nar_upload_that_is_not_a_nar_is_refused_with_the_offset()
    {
        var (cache, client) = await CacheWithWriterAsync();
        var body = "this is not an archive"u8.ToArray();

        using var response = await client.PutAsync($"{cache.Name}/nar/{NarFixtures.Sha256Nix32(body)}.nar", new ByteArrayContent(body));

        await BinaryCacheAssert.ErrorAsync(response, HttpStatusCode.BadRequest, "invalid NAR at offset 0");
        AssertNoStagingFiles();
    }

    [Fact]
    public async Task Nar_upload_with_a_content_encoding_is_refused()
    {
        var (cache, client) = await CacheWithWriterAsync();
        var path = await PushedPath.CreateAsync(CompressionKind.None);
        var content = new ByteArrayContent(path.Body);
        content.Headers.ContentEncoding.Add("gzip");

        using var response = await client.PutAsync($"{cache.Name}/{path.UploadUrl}", content);

        await BinaryCacheAssert.ErrorAsync(response, HttpStatusCode.UnsupportedMediaType, "Content-Encoding");
    }

    [Fact]
    public async Task Nar_upload_over_the_configured_limit_is_refused_with_413()
    {
        await using var app = await LarderApplication.StartAsync(args: ["--Larder:MaxUploadBytes=4096"]);
        var cache = await app.CreateCacheAsync("limited");
        using var client = app.CreateClient(app.AdminToken);
        var big = await PushedPath.CreateAsync(CompressionKind.None, nar: await NarFixtures.FileAsync(64 * 1024));
        var bomb = await PushedPath.CreateAsync(CompressionKind.Zstd, nar: await NarFixtures.FileAsync(1 << 20));
        Assert.True(bomb.Body.Length < 4096);

        await BinaryCacheAssert.ErrorAsync(await big.PutNarAsync(client, cache.Name), HttpStatusCode.RequestEntityTooLarge, "4096");
        await BinaryCacheAssert.ErrorAsync(await bomb.PutNarAsync(client, cache.Name), HttpStatusCode.RequestEntityTooLarge, "uncompressed NAR");
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(app.DataDir, "staging")));
    }

    [Fact]
    public async Task Cache_info_put_is_accepted_for_the_same_store_dir_only()
    {
        var (cache, client) = await CacheWithWriterAsync();

        using var same = await client.PutAsync($"{cache.Name}/nix-cache-info", new StringContent("StoreDir: /nix/store\n"));
        using var other = await client.PutAsync($"{cache.Name}/nix-cache-info", new StringContent("StoreDir: /gnu/store\n"));

        await BinaryCacheAssert.SuccessAsync(same);
        await BinaryCacheAssert.ErrorAsync(other, HttpStatusCode.BadRequest, "/gnu/store");
    }

    [Fact]
    public async Task Writes_need_a_token_with_write_permission()
    {
        var (cache, _) = await CacheWithWriterAsync();
        var (reader, _) = await App.CreateTokenAsync(new GrantDto(cache.Name, ["read"]));
        var path = await PushedPath.CreateAsync();

        using var anonymous = App.CreateClient();
        using var noToken = await path.PutNarAsync(anonymous, cache.Name);
        await BinaryCacheAssert.ErrorAsync(noToken, HttpStatusCode.Unauthorized);
        Assert.Contains("Basic", noToken.Headers.WwwAuthenticate.ToString());

        using var readOnly = App.CreateClient(reader);
        await BinaryCacheAssert.ErrorAsync(await path.PutNarAsync(readOnly, cache.Name), HttpStatusCode.Forbidden, "write");
        await BinaryCacheAssert.ErrorAsync(await path.PutNarInfoAsync(readOnly, cache.Name), HttpStatusCode.Forbidden, "write");
    }

    [Fact]
    public async Task Token_as_basic_password_is_accepted_as_nix_netrc_sends_it()
    {
        var (cache, _) = await CacheWithWriterAsync();
        var (writer, _) = await App.CreateTokenAsync(new GrantDto(cache.Name, ["read", "write"]));
        using var client = App.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue(
            "Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("nix:" + writer)));

        await (await PushedPath.CreateAsync()).PushAsync(client, cache.Name);
    }

    [Theory]
    [InlineData(CompressionKind.None)]
    [InlineData(CompressionKind.Brotli)]
    [InlineData(CompressionKind.Xz)]
    public async Task Build_log_put_is_served_back_as_plain_text(CompressionKind encoding)
    {
        var (cache, client) = await CacheWithWriterAsync();
        var drv = PushedPath.RandomHashPart() + "-hello-1.0.drv";
        var log = Encoding.UTF8.GetBytes("building hello\nall good\n");
        var content = new ByteArrayContent(await NarFixtures.CompressAsync(log, encoding));
        if (encoding != CompressionKind.None)
        {
            content.Headers.ContentEncoding.Add(CompressionNames.ToNixName(encoding));
        }

        await BinaryCacheAssert.SuccessAsync(await client.PutAsync($"{cache.Name}/log/{drv}", content));

        using var response = await client.GetAsync($"{cache.Name}/log/{drv}");
        await BinaryCacheAssert.SuccessAsync(response);
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(log, await response.Content.ReadAsByteArrayAsync());
    }

    [Theory]
    [InlineData("not-a-drv")]
    [InlineData("00000000000000000000000000000000-hello")]
    public async Task Build_log_under_a_name_that_is_not_a_derivation_is_refused(string name)
    {
        var (cache, client) = await CacheWithWriterAsync();

        using var response = await client.PutAsync($"{cache.Name}/log/{name}", new StringContent("log"));

        await BinaryCacheAssert.ErrorAsync(response, HttpStatusCode.BadRequest, name);
    }

    private async Task<(Larder.Contracts.Caches.CacheDto Cache, HttpClient Writer)> CacheWithWriterAsync()
    {
        var cache = await App.CreateCacheAsync("w-" + Guid.NewGuid().ToString("N")[..20], isPublic: true);
        var (secret, _) = await App.CreateTokenAsync(new GrantDto(cache.Name, ["read", "write"]));
        return (cache, App.CreateClient(secret));
    }

    private void AssertNoStagingFiles() =>
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(App.DataDir, "staging")));

    private static string Render(NarInfoRecord info) => info.Render();
}
