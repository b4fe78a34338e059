using System.CommandLine;

namespace Larder.Cli.Commands.Pin;

/// <summary><c>larder pin add|list|history|set|rm</c>.</summary>
internal static class PinCommand
{
    public static Command Create()
    {
        var command = new Command("pin", """
            Named, versioned store paths of a cache. A pin names a path whose closure the cache holds; every protected
            revision keeps its closure from retention and garbage collection. Nix users get the pins without evaluating
            anything: nix build -f https://SERVER/CACHE/pins.tar.gz NAME.

            Examples:
              larder pin add main myapp ./result --keep-revisions 5
              larder pin add main myapp ./result --artifact bin/myapp
              larder pin history main myapp
              larder pin set main myapp --revision 3
            """);
        command.Subcommands.Add(PinAddCommand.Create());
        command.Subcommands.Add(PinListCommand.Create());
        command.Subcommands.Add(PinHistoryCommand.Create());
        command.Subcommands.Add(PinSetCommand.Create());
        command.Subcommands.Add(PinRemoveCommand.Create());
        return command;
    }
}
