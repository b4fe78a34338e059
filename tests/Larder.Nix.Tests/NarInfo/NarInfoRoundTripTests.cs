using Larder.Nix.Encoding;
using Larder.Nix.Hashing;
using Larder.Nix.Store;
using NixNarInfo = Larder.Nix.NarInfo.NarInfo;

namespace Larder.Nix.Tests.NarInfo;

/// <summary>Randomly generated narinfos survive render → parse → render unchanged.</summary>
public class NarInfoRoundTripTests
{
    private const string NameChars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+-._?=";

    private static string RandomHashPart(Random random)
    {
        var bytes = new byte[20];
        random.NextBytes(bytes);
        return NixBase32.Encode(bytes);
    }

    private static string RandomName(Random random, int maxLength = StorePath.MaxNameLength)
    {
        int length = random.Next(1, maxLength + 1);
        var chars = new char[length];
        for (int i = 0; i < length; i++)
        {
            chars[i] = NameChars[random.Next(i == 0 ? NameChars.Length - 5 : NameChars.Length)];
        }
        if (chars[0] == '.')
        {
            chars[0] = 'a';
        }
        return new string(chars);
    }

    private static NixHash RandomSha256(Random random)
    {
        var bytes = new byte[32];
        random.NextBytes(bytes);
        return new NixHash(HashKind.Sha256, bytes);
    }

    private static NixNarInfo RandomNarInfo(Random random)
    {
        string storeDir = random.Next(3) switch { 0 => "/nix/store", 1 => "/tmp/store", _ => "/a/b/c" };
        var path = StorePath.FromBaseName(storeDir, $"{RandomHashPart(random)}-{RandomName(random)}");
        var fileHash = RandomSha256(random);
        string compression = new[] { "none", "xz", "zstd", "bzip2", "br", "gzip" }[random.Next(6)];
        return new NixNarInfo
        {
            StorePath = path,
            Url = $"nar/{fileHash.ToBase32()}.nar",
            Compression = compression,
            FileHash = random.Next(4) == 0 ? null : fileHash,
            FileSize = random.Next(4) == 0 ? null : random.NextInt64(0, long.MaxValue),
            NarHash = RandomSha256(random),
            NarSize = random.NextInt64(1, long.MaxValue),
            References = Enumerable.Range(0, random.Next(6)).Select(_ => $"{RandomHashPart(random)}-{RandomName(random)}").ToList(),
            Deriver = random.Next(3) == 0 ? null : $"{RandomHashPart(random)}-{RandomName(random, StorePath.MaxNameLength - 4)}.drv",
            Signatures = Enumerable.Range(0, random.Next(4)).Select(i => $"key-{i}:{Convert.ToBase64String(RandomSha256(random).Bytes.Span)}").ToList(),
            Ca = random.Next(3) == 0 ? $"fixed:r:{RandomSha256(random).ToNix32String()}" : null,
        };
    }

    [Fact]
    public void Random_narinfos_round_trip_byte_identically()
    {
        var random = new Random(2026);
        for (int i = 0; i < 2000; i++)
        {
            var info = RandomNarInfo(random);
            string text = info.Render();
            var parsed = NixNarInfo.Parse(text);
            Assert.Equal(text, parsed.Render());
            Assert.Equal(info.StorePath, parsed.StorePath);
            Assert.Equal(info.NarHash, parsed.NarHash);
            Assert.Equal(info.NarSize, parsed.NarSize);
            Assert.Equal(info.FileHash, parsed.FileHash);
            Assert.Equal(info.FileSize, parsed.FileSize);
            Assert.Equal(info.References.Order(StringComparer.Ordinal), parsed.References);
            Assert.Equal(info.Fingerprint, parsed.Fingerprint);
            var canonical = info with
            {
                References = [.. info.References.Distinct().Order(StringComparer.Ordinal)],
                Signatures = [.. info.Signatures.Distinct().Order(StringComparer.Ordinal)],
            };
            Assert.Equal(canonical, parsed);
        }
    }

    [Fact]
    public void Random_corruption_of_a_valid_narinfo_never_throws_anything_but_a_format_error()
    {
        var random = new Random(99);
        string valid = RandomNarInfo(random).Render();
        for (int i = 0; i < 5000; i++)
        {
            var chars = valid.ToCharArray();
            for (int k = random.Next(1, 4); k > 0; k--)
            {
                chars[random.Next(chars.Length)] = (char)random.Next(0, 128);
            }
            try
            {
                _ = NixNarInfo.Parse(new string(chars));
            }
            catch (Larder.Nix.NarInfo.NarInfoFormatException)
            {
            }
        }
    }
}
