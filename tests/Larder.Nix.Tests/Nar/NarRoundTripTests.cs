using Larder.Nix.Nar;
using Larder.Testing;

namespace Larder.Nix.Tests.Nar;

/// <summary>Property tests over seeded random trees: write, parse, restore and write again agree, and agree with Nix.</summary>
public sealed class NarRoundTripTests
{
    private const int Cases = 300;

    [Fact]
    public async Task Write_parse_restore_write_is_identical_for_random_trees()
    {
        using var temp = new TempDirectory("larder-nar-roundtrip");
        for (var seed = 0; seed < Cases; seed++)
        {
            var source = Path.Combine(temp.Path, $"src-{seed}");
            var restored = Path.Combine(temp.Path, $"out-{seed}");
            RandomTree.Create(source, new Random(seed));

            var first = new MemoryStream();
            await NarWriter.WriteAsync(source, first);
            var hashed = await NarHashing.HashPathAsync(source);
            var parsed = await NarRestorer.RestoreAsync(new MemoryStream(first.ToArray()), restored);
            var second = new MemoryStream();
            await NarWriter.WriteAsync(restored, second);

            Assert.True(first.ToArray().AsSpan().SequenceEqual(second.ToArray()), $"seed {seed}: restored tree dumps differently");
            Assert.Equal(hashed, parsed);
            Assert.Equal(first.Length, parsed.NarSize);
            Directory.Delete(temp.Path, recursive: true);
            Directory.CreateDirectory(temp.Path);
        }
    }

    [Fact]
    public async Task Nar_hash_of_random_trees_matches_nix_hash()
    {
        var peer = await NixPeer.GetAsync();
        using var temp = new TempDirectory("larder-nar-roundtrip");
        for (var seed = 1000; seed < 1040; seed++)
        {
            var source = Path.Combine(temp.Path, $"src-{seed}");
            RandomTree.Create(source, new Random(seed));

            var ours = await NarHashing.HashPathAsync(source);
            var nix = await peer.RunNixAsync("nix-hash", "--type", "sha256", "--base32", source);

            Assert.True(nix.Stdout.Trim() == ours.NarHash.ToBase32(), $"seed {seed}: nix-hash {nix.Stdout.Trim()}, ours {ours.NarHash.ToBase32()}");
        }
    }

    [Fact]
    public async Task Listing_of_random_trees_agrees_with_the_parsed_archive()
    {
        using var temp = new TempDirectory("larder-nar-roundtrip");
        for (var seed = 2000; seed < 2050; seed++)
        {
            var source = Path.Combine(temp.Path, $"src-{seed}");
            RandomTree.Create(source, new Random(seed));
            var nar = new MemoryStream();
            await NarWriter.WriteAsync(source, nar);
            var bytes = nar.ToArray();

            var listing = new NarListing();
            await NarParser.ParseAsync(new MemoryStream(bytes), listing);

            // Every narOffset points at the file's contents inside the archive.
            using var json = System.Text.Json.JsonDocument.Parse(listing.Utf8Json);
            Assert.Equal(1, json.RootElement.GetProperty("version").GetInt32());
            CheckNode(json.RootElement.GetProperty("root"), source, bytes);
        }
    }

    private static void CheckNode(System.Text.Json.JsonElement node, string path, byte[] nar)
    {
        switch (node.GetProperty("type").GetString())
        {
            case "regular":
                var contents = File.ReadAllBytes(path);
                Assert.Equal(contents.Length, node.GetProperty("size").GetInt64());
                var offset = (int)node.GetProperty("narOffset").GetInt64();
                Assert.True(nar.AsSpan(offset, contents.Length).SequenceEqual(contents), $"narOffset of {path}");
                Assert.Equal(File.GetUnixFileMode(path).HasFlag(UnixFileMode.UserExecute), node.TryGetProperty("executable", out _));
                break;
            case "symlink":
                Assert.Equal(new FileInfo(path).LinkTarget, node.GetProperty("target").GetString());
                break;
            case "directory":
                var names = node.GetProperty("entries").EnumerateObject().Select(e => e.Name).ToList();
                Assert.Equal(Directory.EnumerateFileSystemEntries(path).Select(Path.GetFileName).Order(StringComparer.Ordinal), names.Order(StringComparer.Ordinal));
                foreach (var entry in node.GetProperty("entries").EnumerateObject())
                {
                    CheckNode(entry.Value, Path.Combine(path, entry.Name), nar);
                }
                break;
            default:
                Assert.Fail($"unknown type in listing at {path}");
                break;
        }
    }
}
