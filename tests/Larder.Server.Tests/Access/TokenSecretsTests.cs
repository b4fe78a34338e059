using Larder.Server.Access;

namespace Larder.Server.Tests.Access;

public sealed class TokenSecretsTests
{
    [Fact]
    public void Secrets_are_prefixed_random_and_hashed_as_SHA256_hex()
    {
        var a = TokenSecrets.Generate();
        var b = TokenSecrets.Generate();
        Assert.NotEqual(a, b);
        Assert.Matches("^larder_[0-9a-f]{64}$", a);
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(a))), TokenSecrets.Hash(a));
        var longSecret = new string('x', 1000);
        Assert.Equal(64, TokenSecrets.Hash(longSecret).Length);
    }

    [Theory]
    [InlineData(null, null)]
    [InlineData("", null)]
    [InlineData("Bearer abc", "abc")]
    [InlineData("bearer   abc  ", "abc")]
    [InlineData("Basic dXNlcjpzM2NyM3Q=", "s3cr3t")]
    [InlineData("Basic OnMzY3IzdA==", "s3cr3t")]
    [InlineData("Basic dTpwOmNvbG9u", "p:colon")]
    public void Authorization_headers_yield_the_secret(string? header, string? secret) =>
        Assert.Equal(secret, CacheAccess.ReadSecret(header));
}
