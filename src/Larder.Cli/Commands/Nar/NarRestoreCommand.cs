using System.CommandLine;
using Larder.Cli.Infrastructure;
using Larder.Nix.Nar;

namespace Larder.Cli.Commands.Nar;

/// <summary><c>larder nar restore FILE|- DIR</c>: unpack a NAR (like <c>nix-store --restore</c>), validating it.</summary>
internal static class NarRestoreCommand
{
    public static Command Create()
    {
        var file = new Argument<string>("FILE") { Description = "NAR file (may be compressed: zstd, xz, bzip2, gzip, or brotli named *.br), or - for stdin" };
        var target = new Argument<string>("DIR") { Description = "Where to restore: must not exist, or be an empty directory" };
        var command = new Command("restore", "Restore a NAR into DIR. Malformed archives are rejected and nothing is left behind.")
        {
            file, target,
        };
        command.SetHandler(async (parseResult, cancellationToken) =>
        {
            var source = parseResult.GetRequiredValue(file);
            await using var input = await NarInput.OpenAsync(source, cancellationToken);
            await NarInput.ReportingFormatErrorsAsync(source,
                () => NarRestorer.RestoreAsync(input, parseResult.GetRequiredValue(target), cancellationToken));
            return 0;
        });
        return command;
    }
}
