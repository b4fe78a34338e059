using Larder.Nix.Encoding;

namespace Larder.Nix.Tests.Encoding;

public class NixBase32Tests
{
    // Digests of "", "abc" and "hello world", with their nix32 forms printed by `nix-hash --flat --base32`.
    public static TheoryData<string, string> NixVectors => new()
    {
        { "d41d8cd98f00b204e9800998ecf8427e", "3y8bwfr609h3lh9ch0izcqq7fl" },
        { "da39a3ee5e6b4b0d3255bfef95601890afd80709", "143xibwh31h9bvxzalr0sjvbbvpa6ffs" },
        { "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "0mdqa9w1p6cmli6976v4wi0sw9r4p5prkj7lzfd1877wk11c9c73" },
        { "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e",
          "0zdl9zrg8r3i9c1g90lgg9ip5ijzv3yhz91i0zzn3r8ap9ws784gkp9dk9j3aglhgf1amqb0pj21mh7h1nxcl18akqvvf7ggqsy30yg" },
        { "900150983cd24fb0d6963f7d28e17f72", "3jgzhjhz9zjvbb0kyj7jc500ch" },
        { "a9993e364706816aba3e25717850c26c9cd0d89d", "kpcd173cq987hw957sx6m0868wv3x6d9" },
        { "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", "1b8m03r63zqhnjf7l5wnldhh7c134ap5vpj0850ymkq1iyzicy5s" },
        { "b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9", "1sfdxziarxw8j3p80lvswgpq9i7smdyxmmsj5sjhhgjdjfwjfkdr" },
        { "2aae6c35c94fcfb415dbe95f408b9ce91ee846ed", "xm3fh7p9kj5l0pz9vcav9ksgr4snrbia" },
    };

    [Theory]
    [MemberData(nameof(NixVectors))]
    public void Encode_matches_nix(string hex, string nix32) =>
        Assert.Equal(nix32, NixBase32.Encode(Convert.FromHexString(hex)));

    [Theory]
    [MemberData(nameof(NixVectors))]
    public void Decode_matches_nix(string hex, string nix32) =>
        Assert.Equal(hex, Convert.ToHexStringLower(NixBase32.Decode(nix32)));

    [Theory]
    [InlineData(0, 0)]
    [InlineData(1, 2)]
    [InlineData(16, 26)]
    [InlineData(20, 32)]
    [InlineData(32, 52)]
    [InlineData(64, 103)]
    public void EncodedLength_is_ceiling_of_bits_over_five(int bytes, int chars) =>
        Assert.Equal(chars, NixBase32.EncodedLength(bytes));

    [Theory]
    [InlineData("0mdqa9w1p6cmli6976v4wi0sw9r4p5prkj7lzfd1877wk11c9c7e", "invalid character 'e' at position 51")]
    [InlineData("0mdqa9w1p6cmli6976v4wi0sw9r4p5prkj7lzfd1877wk11c9c7o", "invalid character 'o' at position 51")]
    [InlineData("Umdqa9w1p6cmli6976v4wi0sw9r4p5prkj7lzfd1877wk11c9c73", "invalid character 'U' at position 0")]
    [InlineData("0mdqa9w1p6cmli6976v4wi0sw9r4p5prkj7lzfd1877wk11c9c7", "invalid Nix base32 length 51")]
    [InlineData("zmdqa9w1p6cmli6976v4wi0sw9r4p5prkj7lzfd1877wk11c9c73", "carries bits beyond the encoded length")]
    public void Decode_rejects_bad_input_with_reason(string text, string expected)
    {
        var e = Assert.Throws<FormatException>(() => NixBase32.Decode(text));
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void TryDecode_rejects_wrong_destination_length()
    {
        Assert.False(NixBase32.TryDecode("0mdqa9w1p6cmli6976v4wi0sw9r4p5prkj7lzfd1877wk11c9c73", new byte[20]));
        Assert.True(NixBase32.TryDecode("0mdqa9w1p6cmli6976v4wi0sw9r4p5prkj7lzfd1877wk11c9c73", new byte[32]));
    }

    [Fact]
    public void IsValidChar_accepts_exactly_the_alphabet()
    {
        for (int c = 0; c < 0x3000; c++)
        {
            Assert.Equal(NixBase32.Alphabet.Contains((char)c), NixBase32.IsValidChar((char)c));
        }
    }

    [Fact]
    public void Random_bytes_round_trip_for_every_length()
    {
        var random = new Random(20261121);
        for (int length = 0; length <= 100; length++)
        {
            for (int round = 0; round < 20; round++)
            {
                var bytes = new byte[length];
                random.NextBytes(bytes);
                string text = NixBase32.Encode(bytes);
                Assert.Equal(NixBase32.EncodedLength(length), text.Length);
                Assert.All(text, c => Assert.True(NixBase32.IsValidChar(c)));
                Assert.Equal(bytes, NixBase32.Decode(text));
            }
        }
    }

    [Fact]
    public void Random_text_decodes_only_if_it_re_encodes_identically()
    {
        var random = new Random(7);
        for (int round = 0; round < 2000; round++)
        {
            var chars = new char[32];
            for (int i = 0; i < chars.Length; i++)
            {
                chars[i] = NixBase32.Alphabet[random.Next(32)];
            }
            var text = new string(chars);
            var bytes = new byte[20];
            Assert.True(NixBase32.TryDecode(text, bytes));
            Assert.Equal(text, NixBase32.Encode(bytes));
        }
    }
}
