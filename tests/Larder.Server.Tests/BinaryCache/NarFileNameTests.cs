using Larder.Nix.Compression;
using Larder.Server.BinaryCache;

namespace Larder.Server.Tests.BinaryCache;

public sealed class NarFileNameTests
{
    private const string Hash = "1b8m03r63zqhnjf7l5wnldhh7c134ap5vpj0850ymkq1iyzicy5s";

    [Theory]
    [InlineData(".nar", CompressionKind.None)]
    [InlineData(".nar.xz", CompressionKind.Xz)]
    [InlineData(".nar.zst", CompressionKind.Zstd)]
    [InlineData(".nar.bz2", CompressionKind.Bzip2)]
    [InlineData(".nar.br", CompressionKind.Brotli)]
    [InlineData(".nar.gz", CompressionKind.Gzip)]
    public void Nar_file_name_gives_hash_and_compression(string extension, CompressionKind expected)
    {
        var name = NarFileName.Parse(Hash + extension);

        Assert.Equal(Hash, name.Hash);
        Assert.Equal(expected, name.Compression);
        Assert.Equal("nar/" + Hash + extension, name.Url);
    }

    [Theory]
    [InlineData(Hash + ".nar.lz4", "unknown compression extension '.lz4'")]
    [InlineData(Hash + ".nar.zst.zst", "unknown compression extension")]
    [InlineData("abc.nar.xz", "52-character nix32 FileHash")]
    [InlineData("eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee.nar", "52-character nix32 FileHash")]
    [InlineData("../../../../../../../../../../../../etc/passwd.nar.xz", "52-character nix32 FileHash")]
    public void Bad_nar_file_name_is_refused_naming_the_problem(string file, string expected)
    {
        Assert.Null(NarFileName.TryParse(file, out var error));
        Assert.Contains(expected, error);
    }

    [Theory]
    [InlineData("nix-cache-info")]
    [InlineData("something.txt")]
    public void Name_without_nar_is_not_a_nar_file(string file)
    {
        Assert.Null(NarFileName.TryParse(file, out var error));
        Assert.Null(error);
    }
}
