using System.CommandLine;
using Larder.Cli.Infrastructure;
using Larder.Nix.Nar;

namespace Larder.Cli.Commands.Nar;

/// <summary><c>larder nar dump-path PATH</c>: the NAR of a path on stdout, byte-identical to <c>nix-store --dump</c>.</summary>
internal static class NarDumpPathCommand
{
    public static Command Create()
    {
        var path = new Argument<string>("PATH") { Description = "File, directory or symlink to archive (a symlink is stored, not followed)" };
        var command = new Command("dump-path", "Write the NAR of PATH to stdout (like nix-store --dump).") { path };
        command.SetHandler(async (parseResult, cancellationToken) =>
        {
            var source = parseResult.GetRequiredValue(path);
            if (!Console.IsOutputRedirected)
            {
                throw new CliException("refusing to write a binary NAR to a terminal", "redirect stdout to a file or pipe");
            }
            if (!File.Exists(source) && !Directory.Exists(source) && new FileInfo(source).LinkTarget is null)
            {
                throw new CliException($"no such file or directory: {source}");
            }
            await using var stdout = Console.OpenStandardOutput();
            await NarWriter.WriteAsync(source, stdout, cancellationToken);
            await stdout.FlushAsync(cancellationToken);
            return 0;
        });
        return command;
    }
}
