using Larder.Server.Metadata;
using static Larder.Server.Tests.Metadata.MetadataSamples;

namespace Larder.Server.Tests.Metadata;

public abstract partial class MetadataStoreConformance
{
    private static readonly TokenGrant GlobalAdmin = new("*", Permission.Read | Permission.Write | Permission.Delete | Permission.Admin);

    [Fact]
    public async Task Revoking_a_token_revokes_every_token_it_created_transitively_and_nothing_else()
    {
        var store = await CreateStoreAsync();
        var root = await store.CreateTokenAsync(Token(GlobalAdmin), Ct);
        var parent = await store.CreateTokenAsync(Token() with { CreatedBy = root.Id }, Ct);
        var child = await store.CreateTokenAsync(Token() with { CreatedBy = parent.Id }, Ct);
        var grandchild = await store.CreateTokenAsync(Token() with { CreatedBy = child.Id }, Ct);
        var sibling = await store.CreateTokenAsync(Token() with { CreatedBy = root.Id }, Ct);

        Assert.Equal(TokenRevocation.Revoked, await store.RevokeTokenAsync(parent.Id, T0.AddHours(1), Ct));

        var revoked = (await store.ListTokensAsync(Ct)).ToDictionary(t => t.Id, t => t.RevokedAt);
        Assert.All(new[] { parent, child, grandchild }, t => Assert.Equal(T0.AddHours(1), revoked[t.Id]));
        Assert.Null(revoked[root.Id]);
        Assert.Null(revoked[sibling.Id]);
        Assert.Equal(parent.Id, (await store.GetTokenBySecretHashAsync(child.SecretHash, Ct))!.CreatedBy);
    }

    [Fact]
    public async Task Tokens_list_newest_first_in_pages_below_an_id()
    {
        var store = await CreateStoreAsync();
        var ids = new List<long>();
        for (var i = 0; i < 5; i++)
        {
            ids.Add((await store.CreateTokenAsync(Token(), Ct)).Id);
        }
        var newestFirst = ids.OrderDescending().ToList();

        var first = await store.ListTokensBeforeAsync(long.MaxValue, 3, Ct);
        var second = await store.ListTokensBeforeAsync(first[^1].Id, 3, Ct);

        Assert.Equal(newestFirst.Take(3), first.Select(t => t.Id));
        Assert.Equal(newestFirst.Skip(3), second.Select(t => t.Id));
        Assert.Empty(await store.ListTokensBeforeAsync(ids.Min(), 3, Ct));
    }

    [Fact]
    public async Task A_revoked_token_cannot_create_tokens()
    {
        var store = await CreateStoreAsync();
        var parent = await store.CreateTokenAsync(Token(), Ct);
        await store.RevokeTokenAsync(parent.Id, T0.AddHours(1), Ct);

        await Assert.ThrowsAsync<RevokedCreatorException>(() => store.CreateTokenAsync(Token() with { CreatedBy = parent.Id }, Ct));
        Assert.Single(await store.ListTokensAsync(Ct));
    }

    [Fact]
    public async Task Revoking_the_last_live_global_admin_is_refused_also_through_the_cascade()
    {
        var store = await CreateStoreAsync();
        var first = await store.CreateTokenAsync(Token(GlobalAdmin), Ct);
        var created = await store.CreateTokenAsync(Token(GlobalAdmin) with { CreatedBy = first.Id }, Ct);
        await store.CreateTokenAsync(Token(GlobalAdmin) with { ExpiresAt = T0.AddMinutes(30) }, Ct);
        await store.CreateTokenAsync(Token(new TokenGrant("team-*", Permission.Admin)), Ct);

        Assert.Equal(TokenRevocation.RefusedLastAdmin, await store.RevokeTokenAsync(first.Id, T0.AddHours(1), Ct));
        Assert.All(await store.ListTokensAsync(Ct), t => Assert.Null(t.RevokedAt));

        var other = await store.CreateTokenAsync(Token(GlobalAdmin), Ct);
        Assert.Equal(TokenRevocation.Revoked, await store.RevokeTokenAsync(first.Id, T0.AddHours(1), Ct));
        Assert.NotNull((await store.GetTokenBySecretHashAsync(created.SecretHash, Ct))!.RevokedAt);
        Assert.Equal(TokenRevocation.RefusedLastAdmin, await store.RevokeTokenAsync(other.Id, T0.AddHours(2), Ct));
    }

    [Fact]
    public async Task Token_uses_are_written_in_one_batch_and_never_move_back()
    {
        var store = await CreateStoreAsync();
        var a = await store.CreateTokenAsync(Token(), Ct);
        var b = await store.CreateTokenAsync(Token(), Ct);
        var unused = await store.CreateTokenAsync(Token(), Ct);

        await store.TouchTokensAsync([a.Id, b.Id], T0.AddHours(2), Ct);
        await store.TouchTokensAsync([a.Id], T0.AddHours(1), Ct);

        var used = (await store.ListTokensAsync(Ct)).ToDictionary(t => t.Id, t => t.LastUsedAt);
        Assert.Equal(T0.AddHours(2), used[a.Id]);
        Assert.Equal(T0.AddHours(2), used[b.Id]);
        Assert.Null(used[unused.Id]);
    }

    [Fact]
    public async Task First_start_initialisation_happens_once()
    {
        var store = await CreateStoreAsync();
        var runs = 0;
        Task Count(CancellationToken _)
        {
            runs++;
            return Task.CompletedTask;
        }

        Assert.True(await store.InitializeOnceAsync(Token(GlobalAdmin), Count, Ct));
        Assert.False(await store.InitializeOnceAsync(Token(GlobalAdmin), Count, Ct));

        Assert.Equal(1, runs);
        Assert.Single(await store.ListTokensAsync(Ct));
    }
}
