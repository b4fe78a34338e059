using System.CommandLine;
using System.Text.Json;
using Larder.Cli.Infrastructure;
using Larder.Nix.Nar;

namespace Larder.Cli.Commands.Nar;

/// <summary><c>larder nar hash PATH</c>: NarHash (and NarSize) of a path, as <c>nix-store --query --hash</c> prints it.</summary>
internal static class NarHashCommand
{
    public static Command Create()
    {
        var path = new Argument<string>("PATH") { Description = "File, directory or symlink to hash" };
        var size = new Option<bool>("--size") { Description = "Also print the NAR size in bytes, on a second line" };
        var json = new Option<bool>("--json") { Description = "Print {\"narHash\":...,\"narSize\":...} instead" };
        var command = new Command("hash", "Print the sha256 NAR hash of PATH in Nix's base32 (like nix-hash --type sha256 --base32, with the sha256: prefix).")
        {
            path, size, json,
        };
        command.SetHandler(async (parseResult, cancellationToken) =>
        {
            var source = parseResult.GetRequiredValue(path);
            if (!File.Exists(source) && !Directory.Exists(source) && new FileInfo(source).LinkTarget is null)
            {
                throw new CliException($"no such file or directory: {source}");
            }
            var result = await NarHashing.HashPathAsync(source, cancellationToken);
            if (parseResult.GetValue(json))
            {
                using var stdout = Console.OpenStandardOutput();
                using (var writer = new Utf8JsonWriter(stdout))
                {
                    writer.WriteStartObject();
                    writer.WriteString("narHash", result.NarHash.ToNix32String());
                    writer.WriteNumber("narSize", result.NarSize);
                    writer.WriteEndObject();
                }
                stdout.Write("\n"u8);
            }
            else
            {
                Console.Out.WriteLine(result.NarHash.ToNix32String());
                if (parseResult.GetValue(size))
                {
                    Console.Out.WriteLine(result.NarSize);
                }
            }
            return 0;
        });
        return command;
    }
}
