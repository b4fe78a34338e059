using System.CommandLine;
using Larder.Cli.Infrastructure;
using Larder.Nix.Nar;

namespace Larder.Cli.Commands.Nar;

/// <summary><c>larder nar ls FILE|-</c>: the contents of a NAR, as <c>nix nar ls -R</c> or as Nix's <c>.ls</c> JSON.</summary>
internal static class NarLsCommand
{
    public static Command Create()
    {
        var file = new Argument<string>("FILE") { Description = "NAR file (may be compressed: zstd, xz, bzip2, gzip, or brotli named *.br), or - for stdin" };
        var json = new Option<bool>("--json") { Description = "Print the JSON listing Nix writes next to a NAR (write-nar-listing)" };
        var longFormat = new Option<bool>("--long", "-l") { Description = "Show type, permissions, size and symlink targets (like nix nar ls --long)" };
        var command = new Command("ls", "List the contents of a NAR recursively (like nix nar ls -R FILE /), validating it.")
        {
            file, json, longFormat,
        };
        command.SetHandler(async (parseResult, cancellationToken) =>
        {
            var source = parseResult.GetRequiredValue(file);
            await using var input = await NarInput.OpenAsync(source, cancellationToken);
            await using var stdout = Console.OpenStandardOutput();
            if (parseResult.GetValue(json))
            {
                var listing = new NarListing();
                await NarInput.ReportingFormatErrorsAsync(source, () => NarParser.ParseAsync(input, listing, cancellationToken));
                await stdout.WriteAsync(listing.Utf8Json, cancellationToken);
                await stdout.WriteAsync("\n"u8.ToArray(), cancellationToken);
            }
            else
            {
                // Lines are printed as the archive streams by; a malformed archive stops the listing with an error.
                await using var writer = new StreamWriter(stdout, new System.Text.UTF8Encoding(false), 64 * 1024);
                var text = new NarTextListing(writer, parseResult.GetValue(longFormat));
                await NarInput.ReportingFormatErrorsAsync(source, () => NarParser.ParseAsync(input, text, cancellationToken));
            }
            return 0;
        });
        return command;
    }
}
