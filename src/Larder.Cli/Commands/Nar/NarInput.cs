using Larder.Cli.Infrastructure;
using Larder.Nix.Compression;
using Larder.Nix.Nar;

namespace Larder.Cli.Commands.Nar;

/// <summary>
/// Opening a NAR given on the command line (a file, or <c>-</c> for stdin), compressed or not, and reporting malformed
/// archives.
/// </summary>
internal static class NarInput
{
    /// <summary>
    /// Opens the NAR, decompressing it when its first bytes show zstd, xz, bzip2 or gzip (or the name ends in
    /// <c>.br</c>, as brotli has no magic number), as files in a binary cache's <c>nar/</c> folder are.
    /// </summary>
    public static async Task<Stream> OpenAsync(string fileOrDash, CancellationToken cancellationToken)
    {
        var (kind, replayed) = await CompressionDetector.PeekAsync(Open(fileOrDash), leaveOpen: false, cancellationToken);
        if (fileOrDash.EndsWith(".br", StringComparison.Ordinal))
        {
            return Codecs.Decompress(replayed, CompressionKind.Brotli, leaveOpen: false);
        }
        return kind is { } compressed && compressed != CompressionKind.None
            ? Codecs.Decompress(replayed, compressed, leaveOpen: false)
            : replayed;
    }

    private static Stream Open(string fileOrDash)
    {
        if (fileOrDash == "-")
        {
            return Console.OpenStandardInput();
        }
        if (Directory.Exists(fileOrDash))
        {
            throw new CliException($"'{fileOrDash}' is a directory, not a NAR file",
                "to archive a directory use 'larder nar dump-path'");
        }
        if (!File.Exists(fileOrDash))
        {
            throw new CliException($"no such file: {fileOrDash}");
        }
        return new FileStream(fileOrDash, FileMode.Open, FileAccess.Read, FileShare.Read, 0, FileOptions.SequentialScan);
    }

    /// <summary>Runs <paramref name="action"/>, turning a <see cref="NarFormatException"/> into a user error.</summary>
    public static async Task<T> ReportingFormatErrorsAsync<T>(string fileOrDash, Func<Task<T>> action)
    {
        try
        {
            return await action();
        }
        catch (NarFormatException e)
        {
            throw new CliException($"{(fileOrDash == "-" ? "stdin" : fileOrDash)}: {e.Message}");
        }
    }
}
