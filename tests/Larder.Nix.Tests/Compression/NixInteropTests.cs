using Larder.Nix.Compression;
using Larder.Nix.Tests.Compression.Support;
using Larder.Testing.Compression;

namespace Larder.Nix.Tests.Compression;

/// <summary>
/// The real Nix as the other side: NARs that <c>nix copy --to file://…?compression=X</c> writes decode to what
/// <c>nix-store --dump</c> gives, and Nix imports NARs we compressed.
/// </summary>
public sealed class NixInteropTests : IClassFixture<NixInteropTests.Fixture>
{
    private readonly Fixture _fixture;

    public NixInteropTests(Fixture fixture) => _fixture = fixture;

    /// <summary>One store path (files, a subfolder, a symlink) and its NAR, shared by the tests.</summary>
    public sealed class Fixture : IAsyncLifetime
    {
        internal NixSandbox Nix { get; } = new();
        public string StorePath { get; private set; } = "";
        public byte[] Nar { get; private set; } = [];

        public async Task InitializeAsync()
        {
            var source = Path.Combine(Nix.Root, "payload");
            Directory.CreateDirectory(Path.Combine(source, "sub"));
            await File.WriteAllBytesAsync(Path.Combine(source, "text"), TestData.Compressible(400_000, seed: Environment.ProcessId));
            await File.WriteAllBytesAsync(Path.Combine(source, "sub", "noise"), TestData.Random(150_000, seed: 3));
            File.CreateSymbolicLink(Path.Combine(source, "link"), "sub/noise");
            StorePath = System.Text.Encoding.UTF8.GetString(await Nix.RunAsync("nix-store", "--add", source)).Trim();
            Nar = await Nix.RunAsync("nix-store", "--dump", StorePath);
        }

        public Task DisposeAsync()
        {
            Nix.Dispose();
            return Task.CompletedTask;
        }
    }

    // Nix names gzip NARs plain ".nar": the narinfo's Compression field, not the URL, says how to decode.
    [Theory]
    [InlineData("xz", CompressionKind.Xz, ".nar.xz")]
    [InlineData("zstd", CompressionKind.Zstd, ".nar.zst")]
    [InlineData("bzip2", CompressionKind.Bzip2, ".nar.bz2")]
    [InlineData("br", CompressionKind.Brotli, ".nar.br")]
    [InlineData("gzip", CompressionKind.Gzip, ".nar")]
    [InlineData("none", CompressionKind.None, ".nar")]
    public async Task Nars_that_nix_compresses_decode_to_the_dump(string nixName, CompressionKind kind, string urlSuffix)
    {
        var cache = Path.Combine(_fixture.Nix.Root, $"cache-{nixName}");
        await _fixture.Nix.RunAsync("nix", "copy", "--to", $"file://{cache}?compression={nixName}", _fixture.StorePath);

        var narInfo = NarInfoFields(cache);
        Assert.Equal(kind, CompressionNames.Parse(narInfo["Compression"]));
        Assert.EndsWith(urlSuffix, narInfo["URL"]);

        await using var file = File.OpenRead(Path.Combine(cache, narInfo["URL"]));
        await using var decompressor = Codecs.Decompress(file, kind, leaveOpen: false);
        var nar = new MemoryStream();
        await decompressor.CopyToAsync(nar);
        TestData.AssertSameBytes(_fixture.Nar, nar.ToArray(), $"NAR from nix's {nixName}");
    }

    [Theory]
    [InlineData(CompressionKind.Xz)]
    [InlineData(CompressionKind.Zstd)]
    [InlineData(CompressionKind.Bzip2)]
    [InlineData(CompressionKind.Brotli)]
    [InlineData(CompressionKind.Gzip)]
    public async Task Nix_imports_nars_we_compress(CompressionKind kind)
    {
        // Start from a cache Nix wrote, then swap its NAR for ours: Nix checks the NarHash of what it decodes.
        var name = CompressionNames.ToNixName(kind);
        var cache = Path.Combine(_fixture.Nix.Root, $"ours-{name}");
        await _fixture.Nix.RunAsync("nix", "copy", "--to", $"file://{cache}?compression=none", _fixture.StorePath);
        var narInfoPath = Directory.GetFiles(cache, "*.narinfo").Single();

        var url = $"nar/larder-test{CompressionNames.FileExtension(kind) switch { "" => ".nar", var ext => ".nar" + ext }}";
        await using (var file = File.Create(Path.Combine(cache, url)))
        await using (var compressor = TestCodecs.Compress(file, kind, null, leaveOpen: false))
        {
            await compressor.WriteAsync(_fixture.Nar);
        }

        var lines = File.ReadAllLines(narInfoPath)
            .Where(line => !line.StartsWith("FileHash:", StringComparison.Ordinal) && !line.StartsWith("FileSize:", StringComparison.Ordinal))
            .Select(line => line.StartsWith("URL:", StringComparison.Ordinal) ? $"URL: {url}"
                : line.StartsWith("Compression:", StringComparison.Ordinal) ? $"Compression: {name}"
                : line);
        await File.WriteAllLinesAsync(narInfoPath, lines);
        foreach (var nar in Directory.GetFiles(Path.Combine(cache, "nar")).Where(path => !path.Contains("larder-test")))
        {
            File.Delete(nar);
        }

        var target = Path.Combine(_fixture.Nix.Root, $"store-{name}");
        await _fixture.Nix.RunAsync("nix", "copy", "--no-check-sigs", "--from", $"file://{cache}", "--to", $"local?root={target}", _fixture.StorePath);
        var copied = await _fixture.Nix.RunAsync("nix-store", "--store", $"local?root={target}", "--dump", _fixture.StorePath);
        TestData.AssertSameBytes(_fixture.Nar, copied, $"NAR Nix imported from our {name}");
    }

    private static Dictionary<string, string> NarInfoFields(string cache)
    {
        var narInfo = Directory.GetFiles(cache, "*.narinfo").Single();
        return File.ReadAllLines(narInfo)
            .Select(line => line.Split(": ", 2))
            .Where(parts => parts.Length == 2)
            .GroupBy(parts => parts[0])
            .ToDictionary(group => group.Key, group => group.First()[1]);
    }
}
