using Larder.Nix.Compression;

namespace Larder.Nix.Tests.Compression;

public class CompressionNamesTests
{
    [Theory]
    [InlineData("none", CompressionKind.None, "")]
    [InlineData("xz", CompressionKind.Xz, ".xz")]
    [InlineData("zstd", CompressionKind.Zstd, ".zst")]
    [InlineData("bzip2", CompressionKind.Bzip2, ".bz2")]
    [InlineData("br", CompressionKind.Brotli, ".br")]
    [InlineData("gzip", CompressionKind.Gzip, ".gz")]
    public void Nix_names_map_to_kinds_and_extensions(string name, CompressionKind kind, string extension)
    {
        Assert.Equal(kind, CompressionNames.Parse(name));
        Assert.Equal(name, CompressionNames.ToNixName(kind));
        Assert.Equal(extension, CompressionNames.FileExtension(kind));
    }

    [Theory]
    [InlineData("zst")]
    [InlineData("ZSTD")]
    [InlineData("brotli")]
    [InlineData("lz4")]
    [InlineData("")]
    [InlineData(" xz")]
    public void Parse_rejects_unknown_names_listing_the_accepted_ones(string name)
    {
        var error = Assert.Throws<FormatException>(() => CompressionNames.Parse(name));
        Assert.Contains($"'{name}'", error.Message);
        Assert.Contains("none, xz, zstd, bzip2, br, gzip", error.Message);
        Assert.False(CompressionNames.TryParse(name, out _));
    }

    [Fact]
    public void TryParse_rejects_null() => Assert.False(CompressionNames.TryParse(null, out _));

    [Theory]
    [InlineData("1b8m3mr9nvk1fp9c1cc4ls9jx5jkzqrmr8z3mbqbi6gnmxb5jjhj.nar.xz", CompressionKind.Xz)]
    [InlineData("nar/1b8m3mr9nvk1fp9c1cc4ls9jx5jkzqrmr8z3mbqbi6gnmxb5jjhj.nar.zst", CompressionKind.Zstd)]
    [InlineData("x.nar.bz2", CompressionKind.Bzip2)]
    [InlineData("x.nar.br", CompressionKind.Brotli)]
    [InlineData("x.nar.gz", CompressionKind.Gzip)]
    [InlineData("x.nar", CompressionKind.None)]
    public void Nar_file_names_reveal_their_compression(string fileName, CompressionKind kind)
    {
        Assert.True(CompressionNames.TryParseNarFileName(fileName, out var parsed));
        Assert.Equal(kind, parsed);
    }

    [Theory]
    [InlineData("x.nar.lz4")]
    [InlineData("x.zst")]
    [InlineData(".nar.zst")]
    [InlineData("x.narinfo")]
    [InlineData("x.nar.zstd")]
    public void Other_file_names_are_not_nar_files(string fileName) =>
        Assert.False(CompressionNames.TryParseNarFileName(fileName, out _));

    [Fact]
    public void Missing_narinfo_compression_means_bzip2() =>
        Assert.Equal(CompressionKind.Bzip2, CompressionNames.NarInfoDefault);

    [Fact]
    public void Every_kind_has_a_name() =>
        Assert.Equal(Enum.GetValues<CompressionKind>().Length, CompressionNames.AcceptedNames.Count);
}
