using System.Net;
using System.Net.Http.Json;
using System.Text;
using Larder.Contracts;
using Larder.Contracts.Tokens;
using Larder.Server.Tests.BinaryCache;
using NarInfoRecord = Larder.Nix.NarInfo.NarInfo;

namespace Larder.Server.Tests.Access;

/// <summary>
/// The access filter remembers valid tokens and existing caches (<see cref="Server.Access.CacheAccess"/>): on one
/// server, a revocation or a change of the cache applies to the very next push.
/// </summary>
public sealed class RememberedAccessTests(LarderApplicationFixture fixture) : IClassFixture<LarderApplicationFixture>
{
    private LarderApplication App => fixture.App;

    [Fact]
    public async Task A_token_revoked_after_pushing_cannot_push_the_next_path()
    {
        var (cache, writer, tokenId) = await RememberedWriterAsync();
        using var admin = App.CreateClient(App.AdminToken);

        (await admin.DeleteAsync($"api/v1/tokens/{tokenId}")).EnsureSuccessStatusCode();

        using var refused = await (await PushedPath.CreateAsync()).PutNarAsync(writer, cache);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
    }

    [Fact]
    public async Task A_cache_deleted_after_pushes_to_it_refuses_the_next_push()
    {
        var (cache, writer, _) = await RememberedWriterAsync();
        using var admin = App.CreateClient(App.AdminToken);

        (await admin.DeleteAsync($"api/v1/caches/{cache}")).EnsureSuccessStatusCode();

        using var refused = await (await PushedPath.CreateAsync()).PutNarAsync(writer, cache);
        Assert.Equal(HttpStatusCode.NotFound, refused.StatusCode);
    }

    [Fact]
    public async Task A_signing_key_replaced_after_pushes_signs_the_next_push()
    {
        var (cache, writer, _) = await RememberedWriterAsync();
        using var admin = App.CreateClient(App.AdminToken);
        using var body = new StringContent("""{"generate": true}""", Encoding.UTF8, "application/json");
        using var replaced = await admin.PutAsync($"api/v1/caches/{cache}/signing-key", body);
        var newKey = (await replaced.EnsureSuccessStatusCode().Content.ReadFromJsonAsync(LarderJsonContext.Default.SigningKeyDto))!.PublicKey;

        var path = await PushedPath.CreateAsync();
        await path.PushAsync(writer, cache);

        var served = NarInfoRecord.Parse(await writer.GetStringAsync($"{cache}/{path.HashPart}.narinfo"));
        Assert.Equal([Nix.Signing.PublicKey.Parse(newKey).Name], served.ValidSignatureKeyNames([Nix.Signing.PublicKey.Parse(newKey)]));
    }

    /// <summary>A private cache and a writer that has pushed to it twice (so its token and the cache are remembered).</summary>
    private async Task<(string Cache, HttpClient Writer, long TokenId)> RememberedWriterAsync()
    {
        var cache = await App.CreateCacheAsync("remembered-" + Guid.NewGuid().ToString("N")[..12]);
        var (secret, id) = await App.CreateTokenAsync(new GrantDto(cache.Name, ["read", "write"]));
        var writer = App.CreateClient(secret);
        for (var i = 0; i < 2; i++)
        {
            await (await PushedPath.CreateAsync()).PushAsync(writer, cache.Name);
        }
        return (cache.Name, writer, id);
    }
}
