using Larder.Nix.Signing.Native;

namespace Larder.Nix.Tests.Signing;

/// <summary>The P/Invoke layer itself, against RFC 8032's Ed25519 test vectors.</summary>
public class SodiumTests
{
    public static TheoryData<string, string, string, string> Rfc8032 => new()
    {
        {
            "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
            "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
            "",
            "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"
        },
        {
            "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
            "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
            "72",
            "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"
        },
        {
            "c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
            "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025",
            "af82",
            "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a"
        },
    };

    [Theory]
    [MemberData(nameof(Rfc8032))]
    public void Seed_keypair_and_signature_match_rfc_8032(string seed, string publicKey, string message, string signature)
    {
        var pk = new byte[Sodium.PublicKeyBytes];
        var sk = new byte[Sodium.SecretKeyBytes];
        Sodium.SeedKeyPair(Convert.FromHexString(seed), pk, sk);
        Assert.Equal(publicKey, Convert.ToHexStringLower(pk));
        Assert.Equal(seed + publicKey, Convert.ToHexStringLower(sk));

        var sig = new byte[Sodium.SignatureBytes];
        Sodium.SignDetached(Convert.FromHexString(message), sk, sig);
        Assert.Equal(signature, Convert.ToHexStringLower(sig));
        Assert.True(Sodium.VerifyDetached(sig, Convert.FromHexString(message), pk));
    }

    [Fact]
    public void Verify_rejects_any_tampering()
    {
        var pk = new byte[32];
        var sk = new byte[64];
        Sodium.KeyPair(pk, sk);
        byte[] message = "1;/nix/store/x;sha256:y;1;"u8.ToArray();
        var sig = new byte[64];
        Sodium.SignDetached(message, sk, sig);
        Assert.True(Sodium.VerifyDetached(sig, message, pk));

        var badSig = (byte[])sig.Clone();
        badSig[10] ^= 1;
        Assert.False(Sodium.VerifyDetached(badSig, message, pk));
        var badMessage = (byte[])message.Clone();
        badMessage[^1] ^= 1;
        Assert.False(Sodium.VerifyDetached(sig, badMessage, pk));
        var otherPk = new byte[32];
        Sodium.KeyPair(otherPk, new byte[64]);
        Assert.False(Sodium.VerifyDetached(sig, message, otherPk));
        Assert.False(Sodium.VerifyDetached(sig.AsSpan(0, 63), message, pk));
    }

    [Fact]
    public void Random_keypairs_differ()
    {
        var a = new byte[32];
        var b = new byte[32];
        Sodium.KeyPair(a, new byte[64]);
        Sodium.KeyPair(b, new byte[64]);
        Assert.NotEqual(a, b);
    }

    [Fact]
    public void Wrong_buffer_sizes_are_rejected_before_calling_native_code()
    {
        Assert.Contains("seed must be 32 bytes, not 31", Assert.Throws<ArgumentException>(() => Sodium.SeedKeyPair(new byte[31], new byte[32], new byte[64])).Message);
        Assert.Contains("secretKey must be 64 bytes", Assert.Throws<ArgumentException>(() => Sodium.SignDetached([], new byte[32], new byte[64])).Message);
        Assert.Contains("signature must be 64 bytes", Assert.Throws<ArgumentException>(() => Sodium.SignDetached([], new byte[64], new byte[32])).Message);
        Assert.Throws<ArgumentException>(() => Sodium.KeyPair(new byte[33], new byte[64]));
    }
}
