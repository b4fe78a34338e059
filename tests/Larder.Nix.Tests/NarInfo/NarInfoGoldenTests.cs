using Larder.Nix.Hashing;
using Larder.Nix.Signing;
using NixNarInfo = Larder.Nix.NarInfo.NarInfo;

namespace Larder.Nix.Tests.NarInfo;

/// <summary>Our parser and renderer against narinfos written by `nix copy --to file://` (every compression).</summary>
public class NarInfoGoldenTests
{
    public static TheoryData<string, string> Fixtures => NarInfoFixtures.All();

    [Fact]
    public void Fixtures_cover_every_compression_with_built_and_content_addressed_paths()
    {
        var infos = NarInfoFixtures.All().Select(row => NixNarInfo.Parse(NarInfoFixtures.Read((string)row[0], (string)row[1]))).ToList();
        Assert.Equal(6 * 8, infos.Count);
        Assert.Equal(NarInfoFixtures.Compressions.Order(), infos.Select(i => i.Compression).Distinct().Order());
        Assert.Equal(6 * 5, infos.Count(i => i.Deriver is not null && i.Ca is null));
        Assert.Equal(["fixed:", "fixed:r:", "text:"], infos.Where(i => i.Ca is not null).Select(i => i.Ca![..(i.Ca!.IndexOf("sha256", StringComparison.Ordinal))]).Distinct().Order());
    }

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void Render_of_parsed_fixture_is_byte_identical(string compression, string file)
    {
        string text = NarInfoFixtures.Read(compression, file);
        Assert.Equal(text, NixNarInfo.Parse(text).Render());
    }

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void Parsed_fields_agree_with_nix_path_info(string compression, string file)
    {
        var info = NixNarInfo.Parse(NarInfoFixtures.Read(compression, file));
        var json = NarInfoFixtures.PathInfo()[info.StorePath.FullPath];

        Assert.Equal(compression, info.Compression);
        Assert.Equal(file, info.StorePath.HashPart + ".narinfo");
        Assert.Equal(NixHash.Parse(json.GetProperty("narHash").GetString()!), info.NarHash);
        Assert.Equal(json.GetProperty("narSize").GetInt64(), info.NarSize);
        Assert.Equal(
            json.GetProperty("references").EnumerateArray().Select(r => r.GetString()!).Order(StringComparer.Ordinal),
            info.ReferenceFullPaths);
        Assert.Equal(
            json.TryGetProperty("deriver", out var deriver) ? deriver.GetString() : null,
            info.Deriver is null ? null : $"{info.StorePath.StoreDir}/{info.Deriver}");
        Assert.Equal(json.TryGetProperty("ca", out var ca) ? ca.GetString() : null, info.Ca);
        // The local store holds key 1's signature (built paths only); the cache added key 2's.
        if (json.TryGetProperty("signatures", out var signatures))
        {
            Assert.All(signatures.EnumerateArray(), s => Assert.Contains(s.GetString()!, info.Signatures));
        }
        Assert.Equal(info.Deriver is null ? 1 : 2, info.Signatures.Count);
        Assert.NotNull(info.FileHash);
        Assert.NotNull(info.FileSize);
        if (compression == "none")
        {
            Assert.Equal(info.NarHash, info.FileHash);
            Assert.Equal(info.NarSize, info.FileSize);
        }
    }

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void Signing_with_nixs_key_reproduces_nixs_signature_exactly(string compression, string file)
    {
        var info = NixNarInfo.Parse(NarInfoFixtures.Read(compression, file));
        foreach (var keyName in new[] { "nix-fixture-1", "nix-fixture-2" })
        {
            string? nixSignature = info.Signatures.SingleOrDefault(s => s.StartsWith(keyName + ":", StringComparison.Ordinal));
            if (nixSignature is null)
            {
                continue; // content-addressed paths carry only the cache's key 2 signature
            }
            var key = SecretKey.Parse(File.ReadAllText(NarInfoFixtures.KeyFile(keyName + ".sk")));
            Assert.Equal(nixSignature, key.Sign(info.Fingerprint));
            // Sign replaces an existing signature by the same key, so re-signing changes nothing
            Assert.Equal(info.Render(), info.Sign(key).Render());
        }
    }

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void Nix_signatures_verify_with_nixs_public_keys_and_not_with_others(string compression, string file)
    {
        var info = NixNarInfo.Parse(NarInfoFixtures.Read(compression, file));
        var key1 = PublicKey.Parse(File.ReadAllText(NarInfoFixtures.KeyFile("nix-fixture-1.pk")));
        var key2 = PublicKey.Parse(File.ReadAllText(NarInfoFixtures.KeyFile("nix-fixture-2.pk")));
        var stranger = SecretKey.Generate("nix-fixture-2").PublicKey; // same name, other key

        Assert.True(info.VerifySignatures([key2]));
        Assert.Equal(info.Deriver is not null, info.VerifySignatures([key1]));
        Assert.False(info.VerifySignatures([stranger]));
        Assert.False((info with { NarSize = info.NarSize + 1 }).VerifySignatures([key1, key2]));
        Assert.False((info with { References = [.. info.References, info.StorePath.BaseName] }).VerifySignatures([key1, key2]));
    }

    [Fact]
    public void Fingerprint_of_a_path_with_references_lists_full_paths_comma_joined()
    {
        var info = NarInfoFixtures.All()
            .Select(row => NixNarInfo.Parse(NarInfoFixtures.Read((string)row[0], (string)row[1])))
            .First(i => i.References.Count == 2);
        Assert.Equal(
            $"1;{info.StorePath.FullPath};{info.NarHash.ToNix32String()};{info.NarSize};" +
            $"/nix/store/{info.References[0]},/nix/store/{info.References[1]}",
            info.Fingerprint);
    }

    [Fact]
    public void Nix_cache_info_says_the_default_store_dir()
    {
        foreach (var compression in NarInfoFixtures.Compressions)
        {
            string text = File.ReadAllText(Path.Combine(NarInfoFixtures.Root, "narinfo", compression, "nix-cache-info"));
            Assert.Contains("StoreDir: /nix/store\n", text);
        }
    }
}
