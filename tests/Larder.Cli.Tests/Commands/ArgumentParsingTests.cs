using Larder.Cli.Commands.PathInfo;
using Larder.Cli.Commands.Push;
using Larder.Cli.Commands.Token;
using Larder.Cli.Infrastructure;

namespace Larder.Cli.Tests.Commands;

public sealed class ArgumentParsingTests
{
    [Theory]
    [InlineData("64M", 64L << 20)]
    [InlineData("1g", 1L << 30)]
    [InlineData("512K", 512L << 10)]
    [InlineData("1048576", 1048576L)]
    public void Sizes_parse_with_binary_suffixes(string text, long expected) =>
        Assert.Equal(expected, PushCommand.ParseSize(text, "--part-size"));

    [Theory]
    [InlineData("")]
    [InlineData("M")]
    [InlineData("-5M")]
    [InlineData("1.5G")]
    [InlineData("lots")]
    public void Bad_sizes_are_rejected_naming_the_option(string text)
    {
        var error = Assert.Throws<CliException>(() => PushCommand.ParseSize(text, "--part-size"));
        Assert.StartsWith("--part-size:", error.Message);
    }

    [Theory]
    [InlineData("30d", 30 * 24.0)]
    [InlineData("12h", 12.0)]
    [InlineData("2w", 14 * 24.0)]
    [InlineData("90m", 1.5)]
    public void Expiry_durations_count_from_now(string text, double hours)
    {
        var now = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

        Assert.Equal(now.AddHours(hours), TokenCommand.ParseExpiry(text, now));
    }

    [Fact]
    public void Expiry_dates_must_be_in_the_future()
    {
        var now = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

        Assert.Equal(new DateTimeOffset(2027, 1, 31, 0, 0, 0, TimeSpan.Zero), TokenCommand.ParseExpiry("2027-01-31", now));
        Assert.Contains("in the past", Assert.Throws<CliException>(() => TokenCommand.ParseExpiry("2025-01-01", now)).Message);
    }

    [Theory]
    [InlineData(new[] { "read,write" }, new[] { "read", "write" })]
    [InlineData(new[] { "write", "READ", "write" }, new[] { "write", "read" })]
    [InlineData(new string[0], new[] { "read" })]
    public void Permissions_parse_comma_separated_or_repeated(string[] values, string[] expected) =>
        Assert.Equal(expected, TokenCommand.ParsePermissions(values));

    [Theory]
    [InlineData("http://127.0.0.1:5180/", "auto", "none")]
    [InlineData("http://localhost/", "auto", "none")]
    [InlineData("https://cache.example.com/", "auto", "zstd")]
    [InlineData("http://127.0.0.1:5180/", "zstd", "zstd")]
    public void Auto_compression_skips_compressing_on_loopback(string url, string option, string expected) =>
        Assert.Equal(expected, PushCommand.ChooseCompression(option, new Uri(url)));

    [Theory]
    [InlineData("/nix/store/3lcjzvyzggn8smha5w0qgcv7z3hdlnq9-fib-3", "3lcjzvyzggn8smha5w0qgcv7z3hdlnq9")]
    [InlineData("/nix/store/3lcjzvyzggn8smha5w0qgcv7z3hdlnq9-fib-3/value", "3lcjzvyzggn8smha5w0qgcv7z3hdlnq9")]
    [InlineData("3lcjzvyzggn8smha5w0qgcv7z3hdlnq9-fib-3", "3lcjzvyzggn8smha5w0qgcv7z3hdlnq9")]
    [InlineData("3lcjzvyzggn8smha5w0qgcv7z3hdlnq9", "3lcjzvyzggn8smha5w0qgcv7z3hdlnq9")]
    public void Path_info_accepts_paths_base_names_and_hashes(string argument, string hashPart) =>
        Assert.Equal(hashPart, PathInfoCommand.HashPartOf(argument));
}
