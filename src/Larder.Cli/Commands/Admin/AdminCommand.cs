using System.CommandLine;

namespace Larder.Cli.Commands.Admin;

/// <summary><c>larder admin …</c>: operator tasks that work on the server's stores directly (no running server needed).</summary>
internal static class AdminCommand
{
    public static Command Create() => new("admin", "Operator tasks on the server's own stores (run where 'larder serve' runs, with its configuration).")
    {
        AdminVerifyCommand.Create(),
        AdminCreateTokenCommand.Create(),
        AdminRechunkCommand.Create(),
    };
}
