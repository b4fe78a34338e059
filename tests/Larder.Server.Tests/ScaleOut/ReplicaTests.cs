using System.Net.Http.Headers;
using Larder.Nix.Hashing;
using Larder.Testing;
using Npgsql;

namespace Larder.Server.Tests.ScaleOut;

/// <summary>Two real <c>larder serve</c> replicas sharing one PostgreSQL database and one S3 bucket.</summary>
[Trait("Category", "EndToEnd")]
public sealed class ReplicaTests
{
    [Fact]
    public async Task A_closure_pushed_through_one_replica_is_substituted_from_the_other_at_once()
    {
        await using var cluster = await ScaleOutCluster.CreateAsync("postgres", "s3");
        var a = await cluster.StartReplicaAsync();
        var b = await cluster.StartReplicaAsync();
        var nix = await NixPeer.GetAsync();
        var (cache, publicKey, writeEnv) = await ScaleOutNix.PublicCacheAsync(nix, a, "replica");
        var output = await nix.BuildChainAsync(3, Guid.NewGuid().ToString());
        var probe = $"/{cache}/{ScaleOutNix.HashPart(output)}.narinfo";
        Assert.Equal(System.Net.HttpStatusCode.NotFound, (await b.Client.GetAsync(probe)).StatusCode);

        await ScaleOutNix.RunAsync(writeEnv, "nix", "copy", "--to", $"{a.CacheUrl(cache)}?compression=zstd", output);

        // No negative caching on B: the path it just answered 404 for is there now, with the same narinfo as on A.
        foreach (var path in await ScaleOutNix.ClosureAsync(nix, output))
        {
            var url = $"/{cache}/{ScaleOutNix.HashPart(path)}.narinfo";
            Assert.Equal(await a.Client.GetStringAsync(url), await b.Client.GetStringAsync(url));
        }
        await ScaleOutNix.AssertSubstitutesAsync(nix, b.CacheUrl(cache), publicKey, output);
    }

    [Fact]
    public async Task The_same_closure_pushed_through_both_replicas_at_once_succeeds_and_is_stored_once()
    {
        await using var cluster = await ScaleOutCluster.CreateAsync("postgres", "s3");
        var a = await cluster.StartReplicaAsync();
        var b = await cluster.StartReplicaAsync();
        var nix = await NixPeer.GetAsync();
        var (cache, publicKey, writeEnv) = await ScaleOutNix.PublicCacheAsync(nix, a, "race");
        var output = await nix.BuildChainAsync(3, Guid.NewGuid().ToString());
        var closure = await ScaleOutNix.ClosureAsync(nix, output);

        var urls = new[] { a.CacheUrl(cache), b.CacheUrl(cache) };
        var pushes = await Task.WhenAll(urls.Select(url => NixPeer.TryRunNixAsync(writeEnv, "nix", "copy", "--to", $"{url}?compression=zstd", output)));

        for (var i = 0; i < pushes.Length; i++)
        {
            // Nix 2.8's own bug: when a path becomes valid on the cache between its "what is missing" query and the
            // upload (here: the other push committed it), it drains the NAR source it never started and dies with
            // "coroutine has finished". The servers answered every request correctly (see their logs on failure);
            // rerunning that client must then succeed with nothing left to send.
            if (pushes[i].ExitCode != 0 && pushes[i].Stderr.Contains("coroutine has finished", StringComparison.Ordinal))
            {
                pushes[i] = await NixPeer.TryRunNixAsync(writeEnv, "nix", "copy", "--to", $"{urls[i]}?compression=zstd", output);
            }
        }
        Assert.True(pushes.All(p => p.ExitCode == 0), $"{string.Join("\n", pushes.Select(p => p.Stderr))}\nreplica A:\n{a.Server.Output}\nreplica B:\n{b.Server.Output}");
        Assert.Equal(closure.Length, await CountAsync(cluster, "SELECT count(*) FROM paths;"));
        Assert.Equal(closure.Length, await CountAsync(cluster, "SELECT count(*) FROM nars;"));
        Assert.Equal(closure.Length, await CountAsync(cluster, "SELECT count(*) FROM chunks;"));
        // The chain's small NARs are kept inline: an upload that lost the race wrote no bytes at all (they go in only
        // with a chunk row that names them), and the bucket holds none.
        Assert.Equal(closure.Length, await CountAsync(cluster, "SELECT count(*) FROM inline_blobs;"));
        Assert.DoesNotContain((await cluster.Bucket!.InspectAsync()).Keys, k => k.StartsWith("chunks/", StringComparison.Ordinal));
        await ScaleOutNix.AssertSubstitutesAsync(nix, b.CacheUrl(cache), publicKey, output);
    }

    [Fact]
    public async Task Many_identical_uploads_racing_through_both_replicas_all_succeed_and_store_once()
    {
        await using var cluster = await ScaleOutCluster.CreateAsync("postgres", "s3");
        var a = await cluster.StartReplicaAsync();
        var b = await cluster.StartReplicaAsync();
        var nix = await NixPeer.GetAsync();
        var cache = ScaleOutNix.NewCacheName("httprace");
        await a.Admin.CreateCacheAsync(cache, isPublic: true);
        var writer = await a.Admin.CreateTokenAsync(cache, "read", "write");
        var path = await nix.BuildChainAsync(0, Guid.NewGuid().ToString());
        var nar = (await nix.RunNixAsync("sh", "-c", $"nix-store --dump {path} | base64 -w0")).Stdout;
        var narBytes = Convert.FromBase64String(nar.Trim());
        var hash = NixHash.Compute(HashKind.Sha256, narBytes);
        var narInfo = $"""
            StorePath: {path}
            URL: nar/{hash.ToBase32()}.nar
            Compression: none
            FileHash: {hash.ToNix32String()}
            FileSize: {narBytes.Length}
            NarHash: {hash.ToNix32String()}
            NarSize: {narBytes.Length}
            References: 

            """;

        var uploads = Enumerable.Range(0, 12).Select(async i =>
        {
            var client = (i % 2 == 0 ? a : b).Client;
            using var putNar = new HttpRequestMessage(HttpMethod.Put, $"/{cache}/nar/{hash.ToBase32()}.nar") { Content = new ByteArrayContent(narBytes) };
            putNar.Headers.Authorization = new AuthenticationHeaderValue("Bearer", writer);
            using var narResponse = await client.SendAsync(putNar);
            using var putInfo = new HttpRequestMessage(HttpMethod.Put, $"/{cache}/{ScaleOutNix.HashPart(path)}.narinfo") { Content = new StringContent(narInfo) };
            putInfo.Headers.Authorization = new AuthenticationHeaderValue("Bearer", writer);
            using var infoResponse = await client.SendAsync(putInfo);
            return ((int)narResponse.StatusCode, (int)infoResponse.StatusCode, await infoResponse.Content.ReadAsStringAsync());
        });
        var results = await Task.WhenAll(uploads);

        Assert.All(results, r => Assert.True(r.Item1 is >= 200 and < 300 && r.Item2 is >= 200 and < 300, $"statuses {r.Item1}/{r.Item2}: {r.Item3}"));
        Assert.Equal(1L, await CountAsync(cluster, "SELECT count(*) FROM paths;"));
        Assert.Equal(1L, await CountAsync(cluster, "SELECT count(*) FROM nars;"));
        Assert.Equal(1L, await CountAsync(cluster, "SELECT count(*) FROM events WHERE kind = 'push';"));
        Assert.Equal(1L, await CountAsync(cluster, "SELECT count(*) FROM chunks;"));
        Assert.Equal(1L, await CountAsync(cluster, "SELECT count(*) FROM inline_blobs;"));
        Assert.Equal(await a.Client.GetStringAsync($"/{cache}/{ScaleOutNix.HashPart(path)}.narinfo"), await b.Client.GetStringAsync($"/{cache}/{ScaleOutNix.HashPart(path)}.narinfo"));
    }

    private static async Task<long> CountAsync(ScaleOutCluster cluster, string sql)
    {
        await using var connection = new NpgsqlConnection(cluster.Postgres!.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
