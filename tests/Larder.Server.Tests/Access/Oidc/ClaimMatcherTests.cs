using System.Security.Claims;
using Larder.Server.Access.Oidc;

namespace Larder.Server.Tests.Access.Oidc;

public sealed class ClaimMatcherTests
{
    [Theory]
    [InlineData("refs/heads/main", "refs/heads/main", true)]
    [InlineData("refs/heads/*", "refs/heads/feature/x", true)]
    [InlineData("refs/heads/*", "refs/tags/v1", false)]
    [InlineData("repo:acme/*:ref:refs/heads/main", "repo:acme/app:ref:refs/heads/main", true)]
    [InlineData("repo:acme/*:ref:refs/heads/main", "repo:acme/app:ref:refs/heads/dev", false)]
    [InlineData("v?.*", "v1.2", true)]
    [InlineData("v?.*", "v10.2", false)]
    [InlineData("*a*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", false)]
    [InlineData("", "", true)]
    [InlineData("a", "", false)]
    public void Glob_matches_star_and_question_mark(string pattern, string text, bool matches) =>
        Assert.Equal(matches, ClaimMatcher.GlobMatches(pattern, text));

    [Fact]
    public void An_exact_condition_does_not_treat_star_as_a_wildcard() =>
        Assert.False(ClaimMatcher.Holds(new ClaimCondition("ref", "refs/heads/*", IsGlob: false), "refs/heads/main"));

    [Fact]
    public void An_array_claim_holds_when_one_element_matches()
    {
        Claim[] claims = [new("groups", "dev"), new("groups", "release-managers"), new("sub", "x")];
        Assert.Null(ClaimMatcher.FirstUnmet([new ClaimCondition("groups", "release-*", IsGlob: true)], claims));
    }

    [Fact]
    public void The_first_unmet_condition_is_named_and_a_missing_claim_never_holds()
    {
        Claim[] claims = [new("repository", "acme/app")];
        ClaimCondition environment = new("environment", "production", IsGlob: false);
        Assert.Equal(environment, ClaimMatcher.FirstUnmet([new ClaimCondition("repository", "acme/app", false), environment], claims));
    }
}
