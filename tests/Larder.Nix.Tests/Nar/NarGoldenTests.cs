using Larder.Nix.Nar;
using Larder.Testing;

namespace Larder.Nix.Tests.Nar;

/// <summary>Our NAR code against archives, hashes and listings the real Nix produced (Fixtures/nar).</summary>
public sealed class NarGoldenTests
{
    public static TheoryData<string> Fixtures => NarFixtures.All();

    [Theory]
    [MemberData(nameof(Fixtures))]
    public async Task Parse_yields_nix_hash_and_size(string fixture)
    {
        var nar = NarFixtures.Nar(fixture);

        var result = await NarParser.ParseAsync(new MemoryStream(nar), NullVisitor.Instance);

        Assert.Equal("sha256:" + NarFixtures.NixBase32Hash(fixture), result.NarHash.ToNix32String());
        Assert.Equal(nar.Length, result.NarSize);
    }

    [Theory]
    [MemberData(nameof(Fixtures))]
    public async Task Listing_is_byte_identical_to_nix_write_nar_listing(string fixture)
    {
        var listing = new NarListing();

        await NarParser.ParseAsync(new MemoryStream(NarFixtures.Nar(fixture)), listing);

        Assert.Equal(System.Text.Encoding.UTF8.GetString(NarFixtures.Listing(fixture)), listing.ToJson());
        Assert.Equal(NarFixtures.Listing(fixture), listing.Utf8Json.ToArray());
    }

    [Theory]
    [MemberData(nameof(Fixtures))]
    public async Task Restore_then_dump_is_byte_identical_to_nix_dump(string fixture)
    {
        using var temp = new TempDirectory("larder-nar-golden");
        var target = Path.Combine(temp.Path, "out");
        await NarRestorer.RestoreAsync(new MemoryStream(NarFixtures.Nar(fixture)), target);

        var dumped = new MemoryStream();
        await NarWriter.WriteAsync(target, dumped);

        Assert.Equal(NarFixtures.Nar(fixture), dumped.ToArray());
    }

    [Theory]
    [MemberData(nameof(Fixtures))]
    public async Task Restored_tree_has_nix_hash_by_nix_and_by_us(string fixture)
    {
        var peer = await NixPeer.GetAsync();
        using var temp = new TempDirectory("larder-nar-golden");
        var target = Path.Combine(temp.Path, "out");
        await NarRestorer.RestoreAsync(new MemoryStream(NarFixtures.Nar(fixture)), target);

        // Nix hashing our restored tree checks the restorer independently of our writer.
        var byNix = await peer.RunNixAsync("nix-hash", "--type", "sha256", "--base32", target);
        var byUs = await NarHashing.HashPathAsync(target);

        Assert.Equal(NarFixtures.NixBase32Hash(fixture), byNix.Stdout.Trim());
        Assert.Equal("sha256:" + NarFixtures.NixBase32Hash(fixture), byUs.NarHash.ToNix32String());
        Assert.Equal(NarFixtures.Nar(fixture).Length, byUs.NarSize);
    }

    [Fact]
    public async Task Restore_keeps_symlinks_as_symlinks_and_the_owner_execute_bit()
    {
        using var temp = new TempDirectory("larder-nar-golden");
        var target = Path.Combine(temp.Path, "out");

        await NarRestorer.RestoreAsync(new MemoryStream(NarFixtures.Nar("mixed")), target);

        Assert.Equal("/nix/store/does-not-exist-anywhere", new FileInfo(Path.Combine(target, "share/link-absolute")).LinkTarget);
        Assert.Equal("missing/file", new FileInfo(Path.Combine(target, "share/link-dangling")).LinkTarget);
        Assert.Equal("pkg", new FileInfo(Path.Combine(target, "share/doc/link-to-dir")).LinkTarget);
        Assert.True(File.GetUnixFileMode(Path.Combine(target, "bin/tool")).HasFlag(UnixFileMode.UserExecute));
        Assert.False(File.GetUnixFileMode(Path.Combine(target, "bin/data")).HasFlag(UnixFileMode.UserExecute));
        Assert.True(Directory.Exists(Path.Combine(target, "lib/empty")));
        Assert.Equal("deep\n", File.ReadAllText(Path.Combine(target, "deep/a/b/c/d/e/leaf")));
    }
}
