using Larder.Cli.Infrastructure;
using Larder.Nix.Nar;

namespace Larder.Cli.Commands.Nar;

/// <summary>Opening a NAR given on the command line (a file, or <c>-</c> for stdin) and reporting malformed archives.</summary>
internal static class NarInput
{
    public static Stream Open(string fileOrDash)
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
