using System.CommandLine;

namespace Larder.Cli.Commands.Nar;

/// <summary><c>larder nar</c>: the Nix archive format on local files, without a server.</summary>
internal static class NarCommand
{
    public static Command Create()
    {
        var command = new Command("nar", "Work with Nix archives (NAR): dump, hash, list and restore local files.");
        command.Subcommands.Add(NarDumpPathCommand.Create());
        command.Subcommands.Add(NarHashCommand.Create());
        command.Subcommands.Add(NarLsCommand.Create());
        command.Subcommands.Add(NarRestoreCommand.Create());
        return command;
    }
}
