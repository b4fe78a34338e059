using Larder.Nix.Signing;
using Larder.Server.Errors;
using Larder.Server.Upstreams;

namespace Larder.Server.Tests.Upstreams;

public sealed class UpstreamRulesTests
{
    private static readonly string Key = SecretKey.Generate("upstream-1").PublicKey.ToString();

    [Theory]
    [InlineData("ftp://cache.example.org", "invalid upstream URL 'ftp://cache.example.org'")]
    [InlineData("cache.example.org", "invalid upstream URL 'cache.example.org'")]
    [InlineData("https://cache.example.org/?x=1", "must not have a query")]
    [InlineData("https://user:secret@cache.example.org", "must not have a query, a fragment or credentials")]
    public void Bad_urls_are_refused_naming_the_url(string url, string expected)
    {
        var e = Assert.Throws<InvalidRequestException>(() => UpstreamRules.Apply(CacheUpstreams.None, [url], [Key], null));
        Assert.Contains(expected, e.Message);
    }

    [Theory]
    [InlineData("cache.nixos.org-1", "invalid upstream public key 'cache.nixos.org-1'")]
    [InlineData("cache.nixos.org-1:not-base64", "invalid upstream public key 'cache.nixos.org-1:not-base64'")]
    public void Bad_keys_are_refused_naming_the_key(string key, string expected)
    {
        var e = Assert.Throws<InvalidRequestException>(() => UpstreamRules.Apply(CacheUpstreams.None, null, [key], null));
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void Urls_need_a_key()
    {
        var e = Assert.Throws<InvalidRequestException>(() => UpstreamRules.Apply(CacheUpstreams.None, ["https://cache.example.org"], null, null));
        Assert.Contains("need at least one upstream public key", e.Message);
    }

    [Fact]
    public void An_unknown_mode_is_refused()
    {
        var e = Assert.Throws<InvalidRequestException>(() => UpstreamRules.Apply(CacheUpstreams.None, null, null, "mirror"));
        Assert.Contains("invalid upstream mode 'mirror'", e.Message);
    }

    [Fact]
    public void Urls_lose_their_trailing_slash_and_duplicates_keep_their_order()
    {
        var upstreams = UpstreamRules.Apply(
            CacheUpstreams.None, ["https://b.example.org/", "https://a.example.org/nix", "https://b.example.org"], [Key], "proxy");

        Assert.Equal(["https://b.example.org", "https://a.example.org/nix"], upstreams.Urls);
        Assert.Equal(UpstreamMode.Proxy, upstreams.Mode);
    }

    [Fact]
    public void Key_names_of_public_keys_count_as_upstream_key_names()
    {
        var upstreams = UpstreamRules.Apply(CacheUpstreams.None, null, [Key], null);

        Assert.Equal(["cache.nixos.org-1", "upstream-1"], UpstreamRules.WithKeyNames(["cache.nixos.org-1"], upstreams));
    }

    [Theory]
    [InlineData("upstream-0123456789abcdfghijklmnpqrsvwxyz.nar.xz", "0123456789abcdfghijklmnpqrsvwxyz")]
    [InlineData("upstream-0123456789abcdfghijklmnpqrsvwxyz.nar", "0123456789abcdfghijklmnpqrsvwxyz")]
    [InlineData("upstream-0123456789abcdfghijklmnpqrsvwxyz", null)]
    [InlineData("upstream-0123456789abcdfghijklmnpqrsvwxye.nar", null)]
    [InlineData("0123456789abcdfghijklmnpqrsvwxyz.nar", null)]
    public void Upstream_nar_urls_name_a_valid_hash_part(string file, string? hashPart) =>
        Assert.Equal(hashPart, UpstreamNarUrl.TryParseHashPart(file));
}
