using System.CommandLine;

namespace Larder.Cli;

/// <summary>Every top-level <c>larder</c> command, in the order <c>--help</c> lists them.</summary>
internal static class CommandCatalog
{
    public static IEnumerable<Command> All() =>
    [
        Commands.Serve.ServeCommand.Create(),
        Commands.Login.LoginCommand.Create(),
        Commands.Login.LogoutCommand.Create(),
        Commands.Use.UseCommand.Create(),
        Commands.Use.UnuseCommand.Create(),
        Commands.Push.PushCommand.Create(),
        Commands.Watch.WatchStoreCommand.Create(),
        Commands.Watch.WatchExecCommand.Create(),
        Commands.Cache.CacheCommand.Create(),
        Commands.Token.TokenCommand.Create(),
        Commands.Oidc.OidcCommand.Create(),
        Commands.PathInfo.PathInfoCommand.Create(),
        Commands.Explain.ExplainCommand.Create(),
        Commands.Paths.PathCommand.Create(),
        Commands.Pin.PinCommand.Create(),
        Commands.Artifact.ArtifactCommand.Create(),
        Commands.Nar.NarCommand.Create(),
        Commands.Key.KeyCommand.Create(),
        Commands.Migrate.MigrateCommand.Create(),
        Commands.Admin.AdminCommand.Create(),
    ];
}
