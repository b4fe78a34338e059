using System.CommandLine;

namespace Larder.Cli.Commands.Key;

/// <summary><c>larder key</c>: Nix binary cache signing keys, in the same file format as Nix's.</summary>
internal static class KeyCommand
{
    public static Command Create()
    {
        var command = new Command("key", "Make and inspect Nix binary cache signing keys (files interchangeable with nix-store --generate-binary-cache-key).");
        command.Subcommands.Add(KeyGenerateCommand.Create());
        command.Subcommands.Add(KeyPublicCommand.Create());
        return command;
    }
}
