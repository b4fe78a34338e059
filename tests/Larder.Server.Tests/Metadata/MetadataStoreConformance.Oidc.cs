using Larder.Server.Access.Oidc;
using Larder.Server.Metadata;
using static Larder.Server.Tests.Metadata.MetadataSamples;

namespace Larder.Server.Tests.Metadata;

public abstract partial class MetadataStoreConformance
{
    private static OidcPolicyRecord Policy(string name, string issuer = "https://token.actions.githubusercontent.com") => new(
        0, name, issuer, "https://cache.example.com",
        [new ClaimCondition("repository", "acme/app", IsGlob: false), new ClaimCondition("ref", "refs/heads/*", IsGlob: true)],
        [new TokenGrant("ci-*", Permission.Read | Permission.Write)], TimeSpan.FromMinutes(45), T0, null);

    [Fact]
    public async Task Oidc_policies_round_trip_and_are_found_by_issuer()
    {
        var store = await CreateStoreAsync();
        var github = await store.CreateOidcPolicyAsync(Policy("github"), Ct);
        await store.CreateOidcPolicyAsync(Policy("gitlab", "https://gitlab.example.com"), Ct);

        var found = Assert.Single(await store.ListOidcPoliciesForIssuerAsync("https://token.actions.githubusercontent.com", Ct));

        Assert.Equal(github with { Conditions = found.Conditions, Grants = found.Grants }, found);
        Assert.Equal(github.Conditions, found.Conditions);
        Assert.Equal(github.Grants, found.Grants);
        Assert.Equal(["github", "gitlab"], (await store.ListOidcPoliciesAsync(Ct)).Select(p => p.Name));
        await Assert.ThrowsAsync<DuplicateNameException>(() => store.CreateOidcPolicyAsync(Policy("github"), Ct));
    }

    [Fact]
    public async Task An_oidc_token_is_issued_with_its_event_and_not_once_a_policy_is_deleted()
    {
        var store = await CreateStoreAsync();
        var kept = await store.CreateOidcPolicyAsync(Policy("kept"), Ct);
        var deleted = await store.CreateOidcPolicyAsync(Policy("deleted"), Ct);

        var issued = await store.IssueOidcTokenAsync(Token() with { ExpiresAt = T0.AddHours(1) }, [kept.Id, deleted.Id], "policies 'kept', 'deleted'", Ct);
        Assert.True(await store.DeleteOidcPolicyAsync(deleted.Id, Ct));
        var refused = await store.IssueOidcTokenAsync(Token(), [kept.Id, deleted.Id], "too late", Ct);

        Assert.NotNull(issued);
        Assert.Null(refused);
        Assert.Single(await store.ListTokensAsync(Ct));
        var exchange = Assert.Single(await store.ListTokenEventsAsync(issued.Id, 10, Ct));
        Assert.Equal((TokenEventKinds.OidcExchange, "policies 'kept', 'deleted'", T0), (exchange.Kind, exchange.Detail, exchange.At));
        Assert.False(await store.DeleteOidcPolicyAsync(deleted.Id, Ct));
    }

    [Fact]
    public async Task Token_creation_revocation_and_hourly_writes_are_events()
    {
        var store = await CreateStoreAsync();
        var parent = await store.CreateTokenAsync(Token(), Ct);
        var child = await store.CreateTokenAsync(Token() with { CreatedBy = parent.Id }, Ct);

        await store.RecordTokenWritesAsync([child.Id], T0.AddMinutes(1), Ct);
        await store.RecordTokenWritesAsync([child.Id], T0.AddMinutes(30), Ct);
        await store.RecordTokenWritesAsync([child.Id], T0.AddMinutes(62), Ct);
        await store.RevokeTokenAsync(parent.Id, T0.AddHours(2), Ct);
        await store.RevokeTokenAsync(parent.Id, T0.AddHours(3), Ct);

        var events = await store.ListTokenEventsAsync(child.Id, 10, Ct);
        Assert.Equal(
            [(TokenEventKinds.Revoke, T0.AddHours(2)), (TokenEventKinds.Write, T0.AddMinutes(62)), (TokenEventKinds.Write, T0.AddMinutes(1)), (TokenEventKinds.Create, T0)],
            events.Select(e => (e.Kind, e.At)));
        Assert.Contains($"with token {parent.Id}", events[0].Detail, StringComparison.Ordinal);
        Assert.Equal($"created by token {parent.Id}", events[^1].Detail);
        Assert.Equal(2, (await store.ListTokenEventsAsync(parent.Id, 10, Ct)).Count);
        Assert.Equal(6, (await store.ListTokenEventsAsync(null, 10, Ct)).Count);
    }
}
