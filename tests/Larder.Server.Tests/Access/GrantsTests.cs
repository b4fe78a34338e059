using Larder.Server.Access;
using Larder.Server.Metadata;

namespace Larder.Server.Tests.Access;

public sealed class GrantsTests
{
    [Theory]
    [InlineData("*", true)]
    [InlineData("team-a", true)]
    [InlineData("team-*", true)]
    [InlineData("a", true)]
    [InlineData("", false)]
    [InlineData("Team", false)]
    [InlineData("**", false)]
    [InlineData("a*b", false)]
    [InlineData("-a", false)]
    [InlineData("a b", false)]
    [InlineData("a/b", false)]
    public void Patterns_are_validated(string pattern, bool valid) => Assert.Equal(valid, Grants.IsValidPattern(pattern));

    [Theory]
    [InlineData("*", "anything", true)]
    [InlineData("team-*", "team-a", true)]
    [InlineData("team-*", "team-", true)]
    [InlineData("team-*", "team", false)]
    [InlineData("team-*", "other", false)]
    [InlineData("team-a", "team-a", true)]
    [InlineData("team-a", "team-ab", false)]
    public void Patterns_match_cache_names(string pattern, string cache, bool matches) => Assert.Equal(matches, Grants.Matches(pattern, cache));

    [Theory]
    [InlineData("*", "*", true)]
    [InlineData("*", "team-*", true)]
    [InlineData("team-*", "team-a*", true)]
    [InlineData("team-*", "team-a", true)]
    [InlineData("team-*", "*", false)]
    [InlineData("team-*", "te*", false)]
    [InlineData("team-a", "team-a*", false)]
    [InlineData("team-a", "team-a", true)]
    public void Covers_is_pattern_inclusion(string outer, string inner, bool covers) => Assert.Equal(covers, Grants.Covers(outer, inner));

    [Fact]
    public void Admin_implies_every_permission_and_grants_add_up()
    {
        TokenGrant[] grants = [new("team-*", Permission.Read), new("team-a", Permission.Write), new("ops", Permission.Admin)];
        Assert.Equal(Permission.Read | Permission.Write, Grants.For(grants, "team-a"));
        Assert.Equal(Permission.Read, Grants.For(grants, "team-b"));
        Assert.Equal(Permission.Read | Permission.Write | Permission.Delete | Permission.Admin, Grants.For(grants, "ops"));
        Assert.Equal(Permission.None, Grants.For(grants, "other"));
    }

    [Fact]
    public void Delegation_needs_every_permission_on_a_covering_pattern()
    {
        TokenGrant[] held = [new("team-*", Permission.Read), new("team-a", Permission.Write)];
        Assert.True(Grants.CanDelegate(held, new("team-a", Permission.Read | Permission.Write)));
        Assert.False(Grants.CanDelegate(held, new("team-*", Permission.Write)));
        Assert.False(Grants.CanDelegate(held, new("*", Permission.Read)));
        Assert.True(Grants.CanDelegate([new("*", Permission.Admin)], new("x", Permission.Read | Permission.Delete)));
    }

    [Fact]
    public void Only_admin_on_star_is_global_admin()
    {
        Assert.True(Grants.IsGlobalAdmin([new("*", Permission.Admin)]));
        Assert.False(Grants.IsGlobalAdmin([new("team-*", Permission.Admin)]));
        Assert.False(Grants.IsGlobalAdmin([new("*", Permission.Read | Permission.Write | Permission.Delete)]));
    }
}
