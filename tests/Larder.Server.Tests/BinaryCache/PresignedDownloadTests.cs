using System.Net;
using Larder.Contracts.Tokens;
using Larder.Nix.Compression;
using Larder.Server.Tests.ScaleOut;
using NarInfoRecord = Larder.Nix.NarInfo.NarInfo;

namespace Larder.Server.Tests.BinaryCache;

/// <summary>With S3 presigned downloads on, NAR requests are redirected to the object store (real Ceph radosgw).</summary>
public sealed class PresignedDownloadTests
{
    [Fact]
    public async Task Nar_request_redirects_to_a_presigned_url_that_serves_the_file_form()
    {
        await using var bucket = await S3TestBucket.CreateAsync();
        // The pushed NAR is small: kept in the bucket (not inline in the database, which has no URL to redirect to).
        await using var app = await LarderApplication.StartAsync(
            args: [.. bucket.ServerArgs(), "--Larder:Storage:S3:PresignedDownloads=true", "--Larder:Storage:InlineThreshold=0"]);
        var cache = await app.CreateCacheAsync("presigned", isPublic: true);
        var (secret, _) = await app.CreateTokenAsync(new GrantDto(cache.Name, ["read", "write"]));
        using var writer = app.CreateClient(secret);
        var path = await PushedPath.CreateAsync(CompressionKind.Xz);
        await path.PushAsync(writer, cache.Name);
        using var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = app.BaseAddress };
        var info = NarInfoRecord.Parse(await client.GetStringAsync($"{cache.Name}/{path.HashPart}.narinfo"));

        using var response = await client.GetAsync($"{cache.Name}/{info.Url}");

        Assert.Equal(HttpStatusCode.Found, response.StatusCode);
        Assert.True(response.Headers.CacheControl?.NoStore, "a redirect to an expiring URL must not be cached");
        var location = response.Headers.Location!;
        Assert.StartsWith(bucket.Endpoint.ServiceUrl, location.AbsoluteUri);
        using var direct = new HttpClient();
        var file = await direct.GetByteArrayAsync(location);
        Assert.Equal(info.FileSize, file.Length);
        Assert.Equal(path.Nar, await NarFixtures.DecompressAsync(file, CompressionKind.Zstd));
    }
}
