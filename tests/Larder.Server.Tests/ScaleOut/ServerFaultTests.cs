using System.Net;
using Amazon.S3.Model;
using Larder.Testing;

namespace Larder.Server.Tests.ScaleOut;

/// <summary>
/// Faults on PostgreSQL + S3 seen through a real <c>larder serve</c> and <c>larder admin verify</c>: the object store
/// stopping mid-push, a blob missing or corrupt in the bucket, PostgreSQL restarting under a running server.
/// </summary>
[Trait("Category", "EndToEnd")]
public sealed class ServerFaultTests
{
    // These faults are the bucket's: the chain's small NARs would otherwise be kept inline, in the database.
    private const string KeepBlobsInTheBucket = "--Larder:Storage:InlineThreshold=0";

    [Fact]
    public async Task Object_store_down_during_a_push_fails_it_cleanly_and_a_retry_after_it_returns_succeeds()
    {
        await using var cluster = await ScaleOutCluster.CreateAsync("postgres", "s3");
        await using var proxy = new TcpFaultProxy(new Uri(cluster.Bucket!.Endpoint.ServiceUrl));
        var replica = await cluster.StartReplicaAsync(proxy.Url, ["--Larder:Storage:S3:MaxRetries=1", KeepBlobsInTheBucket]);
        var nix = await NixPeer.GetAsync();
        var (cache, publicKey, writeEnv) = await ScaleOutNix.PublicCacheAsync(nix, replica, "s3down");
        var output = await nix.BuildChainAsync(1, Guid.NewGuid().ToString());
        var push = new[] { "copy", "--to", $"{replica.CacheUrl(cache)}?compression=zstd", output };

        proxy.Break();
        var failed = await NixPeer.TryRunNixAsync(writeEnv, "nix", push);

        Assert.NotEqual(0, failed.ExitCode);
        Assert.Contains("503", failed.Stderr);
        proxy.Restore();
        using (var narInfo = await replica.Client.GetAsync($"/{cache}/{ScaleOutNix.HashPart(output)}.narinfo"))
        {
            Assert.Equal(HttpStatusCode.NotFound, narInfo.StatusCode);
        }
        Assert.DoesNotContain((await cluster.Bucket.InspectAsync()).Keys, k => k.StartsWith("chunks/", StringComparison.Ordinal));

        await ScaleOutNix.RunAsync(writeEnv, "nix", push);
        await ScaleOutNix.AssertSubstitutesAsync(nix, replica.CacheUrl(cache), publicKey, output);
    }

    [Fact]
    public async Task A_blob_missing_from_the_bucket_is_a_server_error_never_a_short_nar_naming_no_key_and_verify_reports_it()
    {
        await using var cluster = await ScaleOutCluster.CreateAsync("postgres", "s3");
        var replica = await cluster.StartReplicaAsync(extraArgs: [KeepBlobsInTheBucket]);
        var nix = await NixPeer.GetAsync();
        var (cache, _, writeEnv) = await ScaleOutNix.PublicCacheAsync(nix, replica, "missing");
        var output = await nix.BuildChainAsync(1, Guid.NewGuid().ToString());
        await ScaleOutNix.RunAsync(writeEnv, "nix", "copy", "--to", $"{replica.CacheUrl(cache)}?compression=zstd", output);
        Assert.Equal(0, (await VerifyAsync(cluster)).ExitCode);
        var (narUrl, chunkKey) = await NarOfAsync(replica, cluster, cache, output);

        await cluster.Bucket!.Client.DeleteObjectAsync(cluster.Bucket.Name, chunkKey);

        using var response = await replica.Client.GetAsync($"/{cache}/{narUrl}");
        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync();
        Assert.Equal("storage error: the NAR's data is missing; the operator should run `larder admin verify`\n", body);
        Assert.True(await replica.Server.WaitForOutputAsync(chunkKey, TimeSpan.FromSeconds(10)), $"the server log names {chunkKey}:\n{replica.Server.Output}");
        var verify = await VerifyAsync(cluster);
        Assert.Equal(1, verify.ExitCode);
        Assert.Contains($"missing blob: blob '{chunkKey}'", verify.Stdout);
    }

    [Fact]
    public async Task Verify_quarantines_a_corrupt_blob_hides_its_path_and_dependents_so_nix_gets_a_clean_miss_and_a_new_push_restores_them()
    {
        await using var cluster = await ScaleOutCluster.CreateAsync("postgres", "s3");
        var replica = await cluster.StartReplicaAsync(extraArgs: [KeepBlobsInTheBucket]);
        var nix = await NixPeer.GetAsync();
        var (cache, publicKey, writeEnv) = await ScaleOutNix.PublicCacheAsync(nix, replica, "corrupt");
        var output = await nix.BuildChainAsync(2, Guid.NewGuid().ToString());
        await ScaleOutNix.RunAsync(writeEnv, "nix", "copy", "--to", $"{replica.CacheUrl(cache)}?compression=zstd", output);
        var dependency = (await nix.RunNixAsync("nix-store", "--query", "--references", output)).Stdout
            .Split('\n', StringSplitOptions.RemoveEmptyEntries).First(p => p != output);
        var (narUrl, chunkKey) = await NarOfAsync(replica, cluster, cache, dependency);
        var bytes = await replica.Client.GetByteArrayAsync($"/{cache}/{narUrl}");
        bytes[bytes.Length / 2] ^= 0x5a;
        await cluster.Bucket!.Client.PutObjectAsync(new PutObjectRequest
        {
            BucketName = cluster.Bucket.Name,
            Key = chunkKey,
            InputStream = new MemoryStream(bytes),
        });

        var verify = await VerifyAsync(cluster, "--quarantine");

        Assert.Equal(1, verify.ExitCode);
        Assert.Contains($"stored bytes corrupt: stored blob '{chunkKey}'", verify.Stdout);
        Assert.Contains($"quarantined {chunkKey}", verify.Stdout);
        Assert.Contains($"hidden {dependency} in cache '{cache}': its NAR is bad", verify.Stdout);
        Assert.Contains($"hidden {output} in cache '{cache}': it references {dependency}", verify.Stdout);
        var keys = (await cluster.Bucket.InspectAsync()).Keys;
        Assert.Contains("quarantine/" + chunkKey, keys);
        Assert.DoesNotContain(chunkKey, keys);
        foreach (var path in new[] { output, dependency })
        {
            using var narInfo = await replica.Client.GetAsync($"/{cache}/{ScaleOutNix.HashPart(path)}.narinfo");
            Assert.Equal(HttpStatusCode.NotFound, narInfo.StatusCode);
        }
        using var store = new TempDirectory("larder-store");
        var substitute = await NixPeer.TryRunNixAsync(
            nix.EnvironmentWith($"trusted-public-keys = {publicKey}"), "nix", "copy", "--from", replica.CacheUrl(cache), "--to", store.Path, output);
        Assert.NotEqual(0, substitute.ExitCode);
        // A status 500, not the digits inside a store path's hash (which once held "500").
        Assert.DoesNotMatch(@"(?<![0-9a-z])500(?![0-9a-z])", substitute.Stderr);
        Assert.DoesNotContain(" - 500 ", replica.Server.Output, StringComparison.Ordinal);

        // Pushing the closure again stores the content afresh and restores it.
        await ScaleOutNix.RunAsync(writeEnv, "nix", "copy", "--to", $"{replica.CacheUrl(cache)}?compression=zstd", output);
        await ScaleOutNix.AssertSubstitutesAsync(nix, replica.CacheUrl(cache), publicKey, output);
    }

    [Fact]
    public async Task PostgreSQL_restarting_gives_503_naming_no_host_then_the_same_server_answers_again()
    {
        await using var pg = await ThrowawayPostgres.StartAsync();
        await using var cluster = await ScaleOutCluster.CreateAsync("sqlite", "s3");
        var replica = await cluster.StartReplicaAsync(extraArgs:
        [
            "--Larder:Database:Kind=postgres",
            $"--Larder:Database:ConnectionString={pg.ConnectionString}",
        ]);
        var nix = await NixPeer.GetAsync();
        var (cache, publicKey, writeEnv) = await ScaleOutNix.PublicCacheAsync(nix, replica, "pgrestart");
        var output = await nix.BuildChainAsync(1, Guid.NewGuid().ToString());
        await ScaleOutNix.RunAsync(writeEnv, "nix", "copy", "--to", $"{replica.CacheUrl(cache)}?compression=zstd", output);
        var narInfoUrl = $"/{cache}/{ScaleOutNix.HashPart(output)}.narinfo";

        await pg.StopAsync();
        using (var down = await replica.Client.GetAsync(narInfoUrl))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, down.StatusCode);
            Assert.Equal("the metadata database is unavailable; retry later\n", await down.Content.ReadAsStringAsync());
        }
        using (var apiDown = await replica.Client.GetAsync($"/api/v1/caches/{cache}"))
        {
            var body = await apiDown.Content.ReadAsStringAsync();
            Assert.Equal(HttpStatusCode.ServiceUnavailable, apiDown.StatusCode);
            Assert.DoesNotContain("127.0.0.1", body, StringComparison.Ordinal);
            Assert.DoesNotContain(pg.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), body, StringComparison.Ordinal);
        }
        await pg.StartServerAsync();

        using (var up = await replica.Client.GetAsync(narInfoUrl))
        {
            Assert.Equal(HttpStatusCode.OK, up.StatusCode);
        }
        Assert.False(replica.Server.HasExited);
        await ScaleOutNix.AssertSubstitutesAsync(nix, replica.CacheUrl(cache), publicKey, output);
    }

    /// <summary>The narinfo's NAR URL and the blob key of its (single) chunk.</summary>
    private static async Task<(string NarUrl, string ChunkKey)> NarOfAsync(Replica replica, ScaleOutCluster cluster, string cache, string output)
    {
        var narInfo = await replica.Client.GetStringAsync($"/{cache}/{ScaleOutNix.HashPart(output)}.narinfo");
        string Field(string name) => narInfo.Split('\n').Single(l => l.StartsWith(name + ": ", StringComparison.Ordinal))[(name.Length + 2)..];
        var narHash = Field("NarHash")["sha256:".Length..];
        var key = (await cluster.Bucket!.InspectAsync()).Keys.Single(k => k.StartsWith("chunks/", StringComparison.Ordinal) && k.Contains(narHash, StringComparison.Ordinal));
        return (Field("URL"), key);
    }

    /// <summary>`larder admin verify` on the cluster's stores (from a data directory of its own).</summary>
    internal static Task<ProcessResult> VerifyAsync(ScaleOutCluster cluster, params string[] extra)
    {
        using var data = new TempDirectory("larder-verify");
        return LarderExecutable.RunAsync(["admin", "verify", "--data", data.Path, .. cluster.BackendArgs(), .. extra]);
    }
}
