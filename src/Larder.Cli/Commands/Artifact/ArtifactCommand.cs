using System.CommandLine;
using Larder.Cli.Infrastructure;
using Larder.Contracts.Artifacts;

namespace Larder.Cli.Commands.Artifact;

/// <summary><c>larder artifact save|restore|list|rm|retention</c>: the build-artifact cache.</summary>
internal static class ArtifactCommand
{
    public static Command Create()
    {
        var command = new Command("artifact", """
            Save and restore intermediate build directories (keyed archives per cache), so that a build that starts from
            an empty directory, as every Nix build does, still rebuilds only what changed. nix/build-cache.nix wires
            these into derivations.

            Examples:
              larder artifact save main myapp-feature-x build --sources .
              larder artifact restore main myapp-feature-x --fallback myapp-master
              larder artifact restore main myapp-x --server https://cache.example.com --token-file /run/keys/larder-token
              larder artifact list main
              larder artifact rm main myapp-feature-x
              larder artifact retention main --keep-per-key 2 --max-age-days 14 --max-total-size 20G
            """);
        command.Subcommands.Add(ArtifactSaveCommand.Create());
        command.Subcommands.Add(ArtifactRestoreCommand.Create());
        command.Subcommands.Add(ArtifactListCommand.Create());
        command.Subcommands.Add(ArtifactRmCommand.Create());
        command.Subcommands.Add(ArtifactRetentionCommand.Create());
        return command;
    }

    internal static Argument<string> CacheArgument() => new("CACHE") { Description = "NAME (default server) or SERVER:NAME." };

    internal static Argument<string> KeyArgument() => new("KEY") { Description = "The archive's key: letters, digits and . _ - + = (not a path)." };

    /// <summary><paramref name="key"/> when it is a valid key; a <see cref="CliException"/> naming the problem otherwise.</summary>
    internal static string CheckKey(string key) => ArtifactKeys.Problem(key) is { } problem ? throw new CliException(problem) : key;
}
