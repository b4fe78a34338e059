using Larder.Nix.Signing;
using Larder.Nix.Tests.NarInfo;

namespace Larder.Nix.Tests.Signing;

public class KeyTests
{
    private static string Fixture(string file) => File.ReadAllText(NarInfoFixtures.KeyFile(file));

    [Theory]
    [InlineData("nix-fixture-1")]
    [InlineData("nix-fixture-2")]
    public void Nix_key_files_parse_and_print_back_identically(string name)
    {
        string secretText = Fixture(name + ".sk");
        string publicText = Fixture(name + ".pk");
        var secret = SecretKey.Parse(secretText);
        var pub = PublicKey.Parse(publicText);

        Assert.Equal(name, secret.Name);
        Assert.Equal(secretText, secret.ToString());
        Assert.Equal(publicText, pub.ToString());
        Assert.Equal(pub, secret.PublicKey);
        Assert.Equal(publicText, secret.PublicKey.ToString());
    }

    [Fact]
    public void Generated_keys_sign_and_verify_and_round_trip_through_text()
    {
        var secret = SecretKey.Generate("cache.example.org-1");
        string signature = secret.Sign("hello"u8);
        Assert.StartsWith("cache.example.org-1:", signature);
        Assert.Equal(64, Convert.FromBase64String(signature["cache.example.org-1:".Length..]).Length);
        Assert.True(secret.PublicKey.Verify("hello"u8, signature));
        Assert.False(secret.PublicKey.Verify("hellO"u8, signature));

        var reparsed = SecretKey.Parse(secret.ToString());
        Assert.Equal(signature, reparsed.Sign("hello"u8)); // Ed25519 is deterministic
        Assert.Equal(secret.PublicKey, PublicKey.Parse(secret.PublicKey.ToString()));
        Assert.NotEqual(secret.ToString(), SecretKey.Generate("cache.example.org-1").ToString());
    }

    [Fact]
    public void FromSeed_is_deterministic()
    {
        var seed = new byte[32];
        seed[0] = 7;
        Assert.Equal(SecretKey.FromSeed("k", seed).ToString(), SecretKey.FromSeed("k", seed).ToString());
        Assert.Throws<KeyFormatException>(() => SecretKey.FromSeed("k", new byte[31]));
    }

    [Theory]
    [InlineData("k:AAAA\n")]
    [InlineData("  k:AAAA  \n")]
    public void Surrounding_whitespace_in_a_key_file_is_ignored(string template)
    {
        var key = SecretKey.Generate("k");
        string text = template.Replace("k:AAAA", key.PublicKey.ToString());
        Assert.Equal(key.PublicKey, PublicKey.Parse(text));
    }

    public static TheoryData<string, string> MalformedPublicKeys => new()
    {
        { "", "no ':' found" },
        { "just-a-name", "no ':' found" },
        { ":" + Convert.ToBase64String(new byte[32]), "key name is empty" },
        { "my key:" + Convert.ToBase64String(new byte[32]), "key name 'my key' contains ' '" },
        { "k:", "has no key data after the ':'" },
        { "k:not base64!", "is not valid base64" },
        { "k:" + Convert.ToBase64String(new byte[31]), "is 31 bytes, but an Ed25519 public key is 32 bytes" },
        { "k:" + Convert.ToBase64String(new byte[64]), "is 64 bytes, but an Ed25519 public key is 32 bytes" },
    };

    [Theory]
    [MemberData(nameof(MalformedPublicKeys))]
    public void PublicKey_parse_rejects_malformed_keys_with_reason(string text, string reason)
    {
        var e = Assert.Throws<KeyFormatException>(() => PublicKey.Parse(text));
        Assert.Contains(reason, e.Message);
        Assert.False(PublicKey.TryParse(text, out _));
    }

    [Fact]
    public void SecretKey_parse_rejects_a_public_key_and_a_corrupt_public_half()
    {
        var key = SecretKey.Generate("k");
        Assert.Contains("is 32 bytes, but an Ed25519 secret key is 64 bytes",
            Assert.Throws<KeyFormatException>(() => SecretKey.Parse(key.PublicKey.ToString())).Message);

        var raw = Convert.FromBase64String(key.ToString()[2..]);
        raw[40] ^= 0xff;
        Assert.Contains("secret key 'k' is corrupt: its public half does not match its seed",
            Assert.Throws<KeyFormatException>(() => SecretKey.Parse("k:" + Convert.ToBase64String(raw))).Message);
    }

    [Theory]
    [InlineData("", "key name is empty")]
    [InlineData("a:b", "contains ':'")]
    [InlineData("a b", "contains ' '")]
    [InlineData("a\tb", "contains '\\u0009'")]
    public void Generate_rejects_bad_names(string name, string reason) =>
        Assert.Contains(reason, Assert.Throws<KeyFormatException>(() => SecretKey.Generate(name)).Message);

    [Fact]
    public void Verify_rejects_signatures_by_another_name_or_malformed()
    {
        var key = SecretKey.Generate("alpha");
        string signature = key.Sign("m"u8);
        string body = signature["alpha:".Length..];
        Assert.False(key.PublicKey.Verify("m"u8, "beta:" + body));
        Assert.False(key.PublicKey.Verify("m"u8, "alph:" + body));
        Assert.False(key.PublicKey.Verify("m"u8, "alphaa:" + body));
        Assert.False(key.PublicKey.Verify("m"u8, body));
        Assert.False(key.PublicKey.Verify("m"u8, "alpha:"));
        Assert.False(key.PublicKey.Verify("m"u8, "alpha:" + body[..^4]));
        Assert.False(key.PublicKey.Verify("m"u8, "alpha:!!" + body[2..]));
        Assert.True(key.PublicKey.Verify("m", signature));
    }
}
