using Larder.Nix.Hashing;

namespace Larder.Nix.Tests.Hashing;

public class NixHashTests
{
    private const string AbcHex = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
    private const string AbcNix32 = "1b8m03r63zqhnjf7l5wnldhh7c134ap5vpj0850ymkq1iyzicy5s";
    private const string AbcBase64 = "ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=";

    [Theory]
    [InlineData("sha256:" + AbcNix32)]
    [InlineData("sha256:" + AbcHex)]
    [InlineData("sha256:" + AbcBase64)]
    [InlineData("sha256-" + AbcBase64)]
    [InlineData("sha256:BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD")]
    public void Parse_accepts_every_form_nix_accepts(string text)
    {
        var hash = NixHash.Parse(text);
        Assert.Equal(HashKind.Sha256, hash.Kind);
        Assert.Equal(AbcHex, hash.ToHex());
    }

    [Theory]
    [InlineData(AbcNix32)]
    [InlineData(AbcHex)]
    [InlineData(AbcBase64)]
    [InlineData("sha256:" + AbcNix32)]
    [InlineData("sha256-" + AbcBase64)]
    public void Parse_with_kind_accepts_bare_digests(string text) =>
        Assert.Equal(AbcHex, NixHash.Parse(text, HashKind.Sha256).ToHex());

    [Theory]
    [InlineData(HashKind.Md5, "900150983cd24fb0d6963f7d28e17f72", "3jgzhjhz9zjvbb0kyj7jc500ch")]
    [InlineData(HashKind.Sha1, "a9993e364706816aba3e25717850c26c9cd0d89d", "kpcd173cq987hw957sx6m0868wv3x6d9")]
    [InlineData(HashKind.Sha256, AbcHex, AbcNix32)]
    [InlineData(HashKind.Sha512,
        "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f",
        "2gs8k559z4rlahfx0y688s49m2vvszylcikrfinm30ly9rak69236nkam5ydvly1ai7xac99vxfc4ii84hawjbk876blyk1jfhkbbyx")]
    public void Every_kind_computes_and_prints_like_nix(HashKind kind, string hex, string nix32)
    {
        var hash = NixHash.Compute(kind, "abc"u8);
        Assert.Equal(hex, hash.ToHex());
        Assert.Equal(nix32, hash.ToBase32());
        string prefix = kind.ToString().ToLowerInvariant();
        Assert.Equal($"{prefix}:{nix32}", hash.ToNix32String());
        Assert.Equal($"{prefix}:{nix32}", hash.ToString());
        Assert.Equal($"{prefix}-{Convert.ToBase64String(Convert.FromHexString(hex))}", hash.ToSri());
        Assert.Equal(hash, NixHash.Parse(hash.ToSri()));
        Assert.Equal(hash, NixHash.Parse($"{prefix}:{hex}"));
        Assert.Equal(hash, NixHash.Parse(hash.ToNix32String()));
    }

    [Theory]
    [InlineData("", "empty hash")]
    [InlineData(AbcNix32, "does not say its type")]
    [InlineData("sha3:" + AbcNix32, "unknown hash type 'sha3'")]
    [InlineData("SHA256:" + AbcNix32, "unknown hash type 'SHA256'")]
    [InlineData("sha256:" + AbcNix32 + "0", "has wrong length 53 for type 'sha256'")]
    [InlineData("sha256:", "has wrong length 0 for type 'sha256'")]
    [InlineData("sha1:" + AbcNix32, "has wrong length 52 for type 'sha1'")]
    [InlineData("sha256:1b8m03r63zqhnjf7l5wnldhh7c134ap5vpj0850ymkq1iyzicy5e", "invalid Nix base32 digits")]
    [InlineData("sha256:zb8m03r63zqhnjf7l5wnldhh7c134ap5vpj0850ymkq1iyzicy5s", "invalid Nix base32 digits")]
    [InlineData("sha256:ga7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", "invalid base16 digits")]
    [InlineData("sha256-" + AbcHex, "invalid base64 digest")]
    [InlineData("sha256-ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0", "invalid base64 digest")]
    [InlineData("sha256:ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAF!0=", "invalid base64 digest")]
    public void Parse_rejects_malformed_hashes_with_reason(string text, string expected)
    {
        var e = Assert.Throws<FormatException>(() => NixHash.Parse(text));
        Assert.Contains(expected, e.Message);
        Assert.False(NixHash.TryParse(text, out _));
    }

    [Fact]
    public void Parse_with_kind_rejects_other_prefix()
    {
        var e = Assert.Throws<FormatException>(() => NixHash.Parse("sha512-" + Convert.ToBase64String(new byte[64]), HashKind.Sha256));
        Assert.Contains("should have type 'sha256', not 'sha512'", e.Message);
    }

    [Fact]
    public void Equality_is_by_kind_and_bytes()
    {
        var a = NixHash.Parse("sha256:" + AbcNix32);
        var b = NixHash.Parse("sha256-" + AbcBase64);
        Assert.Equal(a, b);
        Assert.True(a == b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.NotEqual(a, NixHash.Compute(HashKind.Sha256, "abd"u8));
        Assert.NotEqual(NixHash.Compute(HashKind.Md5, ""u8), new NixHash(HashKind.Md5, new byte[16]));
    }

    [Fact]
    public void Constructor_rejects_wrong_digest_length()
    {
        var e = Assert.Throws<ArgumentException>(() => new NixHash(HashKind.Sha256, new byte[20]));
        Assert.Contains("32 bytes, not 20", e.Message);
    }

    [Fact]
    public void Random_hashes_round_trip_through_every_text_form()
    {
        var random = new Random(11);
        foreach (var kind in Enum.GetValues<HashKind>())
        {
            for (int i = 0; i < 200; i++)
            {
                var bytes = new byte[kind.SizeInBytes()];
                random.NextBytes(bytes);
                var hash = new NixHash(kind, bytes);
                Assert.Equal(hash, NixHash.Parse(hash.ToNix32String()));
                Assert.Equal(hash, NixHash.Parse(hash.ToSri()));
                Assert.Equal(hash, NixHash.Parse(hash.ToHex(), kind));
                Assert.Equal(hash, NixHash.Parse(hash.ToBase64(), kind));
            }
        }
    }

    [Fact]
    public void Compute_agrees_with_the_nix32_of_sha256_of_text() =>
        Assert.Equal("sha256:1sfdxziarxw8j3p80lvswgpq9i7smdyxmmsj5sjhhgjdjfwjfkdr",
            NixHash.Compute(HashKind.Sha256, "hello world"u8).ToString());
}
