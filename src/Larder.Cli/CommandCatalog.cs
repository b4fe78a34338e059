using System.CommandLine;

namespace Larder.Cli;

/// <summary>Every top-level <c>larder</c> command, in the order <c>--help</c> lists them.</summary>
internal static class CommandCatalog
{
    public static IEnumerable<Command> All() =>
    [
        Commands.Serve.ServeCommand.Create(),
    ];
}
