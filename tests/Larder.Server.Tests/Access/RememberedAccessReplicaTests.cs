using System.Net;
using System.Net.Http.Json;
using System.Text;
using Larder.Contracts;
using Larder.Contracts.Tokens;
using Larder.Nix.Signing;
using Larder.Server.BinaryCache.Serving;
using Larder.Server.Tests.BinaryCache;
using Larder.Server.Tests.ScaleOut;
using NarInfoRecord = Larder.Nix.NarInfo.NarInfo;

namespace Larder.Server.Tests.Access;

/// <summary>
/// Two replicas on one PostgreSQL database: a revocation or a change of a cache made through replica A reaches the
/// tokens and caches replica B's access filter remembers for pushes through PostgreSQL's NOTIFY, well within
/// <see cref="NarInfoMemory.MaxAge"/>.
/// </summary>
public sealed class RememberedAccessReplicaTests
{
    [Fact]
    public async Task A_token_revoked_through_one_replica_stops_pushing_through_the_other_within_the_bound()
    {
        await using var replicas = await TwoReplicas.StartAsync();
        var (cache, writerB, tokenId) = await RememberedWriterOnBAsync(replicas);
        using var admin = replicas.A.CreateClient(replicas.A.AdminToken);

        (await admin.DeleteAsync($"api/v1/tokens/{tokenId}")).EnsureSuccessStatusCode();

        Assert.True(
            await TwoReplicas.HoldsWithinNoticeBoundAsync(async () => await PutNarStatusAsync(writerB, cache) == HttpStatusCode.Unauthorized),
            $"replica B still takes pushes from a revoked token after {TwoReplicas.NoticeBound}");
    }

    [Fact]
    public async Task A_cache_deleted_through_one_replica_stops_pushes_through_the_other_within_the_bound()
    {
        await using var replicas = await TwoReplicas.StartAsync();
        var (cache, writerB, _) = await RememberedWriterOnBAsync(replicas);
        using var admin = replicas.A.CreateClient(replicas.A.AdminToken);

        (await admin.DeleteAsync($"api/v1/caches/{cache}")).EnsureSuccessStatusCode();

        Assert.True(
            await TwoReplicas.HoldsWithinNoticeBoundAsync(async () => await PutNarStatusAsync(writerB, cache) == HttpStatusCode.NotFound),
            $"replica B still takes pushes to a deleted cache after {TwoReplicas.NoticeBound}");
    }

    [Fact]
    public async Task A_signing_key_replaced_through_one_replica_signs_pushes_through_the_other_within_the_bound()
    {
        await using var replicas = await TwoReplicas.StartAsync();
        var (cache, writerB, _) = await RememberedWriterOnBAsync(replicas);
        using var admin = replicas.A.CreateClient(replicas.A.AdminToken);
        using var body = new StringContent("""{"generate": true}""", Encoding.UTF8, "application/json");
        using var replaced = await admin.PutAsync($"api/v1/caches/{cache}/signing-key", body);
        var newKey = PublicKey.Parse((await replaced.EnsureSuccessStatusCode().Content.ReadFromJsonAsync(LarderJsonContext.Default.SigningKeyDto))!.PublicKey);

        Assert.True(
            await TwoReplicas.HoldsWithinNoticeBoundAsync(async () =>
            {
                var path = await PushedPath.CreateAsync();
                await path.PushAsync(writerB, cache);
                var served = NarInfoRecord.Parse(await writerB.GetStringAsync($"{cache}/{path.HashPart}.narinfo"));
                return served.VerifySignatures([newKey]);
            }),
            $"replica B still signs pushes with the replaced key after {TwoReplicas.NoticeBound}");
    }

    /// <summary>A private cache made through A, and a writer that has pushed to it twice through B (which remembers both).</summary>
    private static async Task<(string Cache, HttpClient WriterB, long TokenId)> RememberedWriterOnBAsync(TwoReplicas replicas)
    {
        var cache = await replicas.A.CreateCacheAsync("rep-" + Guid.NewGuid().ToString("N")[..16]);
        var (secret, id) = await replicas.A.CreateTokenAsync(new GrantDto(cache.Name, ["read", "write"]));
        var writer = replicas.B.CreateClient(secret);
        for (var i = 0; i < 2; i++)
        {
            await (await PushedPath.CreateAsync()).PushAsync(writer, cache.Name);
        }
        return (cache.Name, writer, id);
    }

    private static async Task<HttpStatusCode> PutNarStatusAsync(HttpClient writer, string cache)
    {
        using var response = await (await PushedPath.CreateAsync()).PutNarAsync(writer, cache);
        return response.StatusCode;
    }
}
