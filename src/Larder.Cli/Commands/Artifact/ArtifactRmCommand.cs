using System.CommandLine;
using Larder.Cli.Infrastructure;

namespace Larder.Cli.Commands.Artifact;

/// <summary><c>larder artifact rm CACHE KEY</c>: delete every archive upload under a key.</summary>
internal static class ArtifactRmCommand
{
    public static Command Create()
    {
        var cache = ArtifactCommand.CacheArgument();
        var key = ArtifactCommand.KeyArgument();
        var connection = new ArtifactConnection();
        var command = new Command("rm", "Delete every archive saved under KEY (needs delete permission). Chunks no one else holds go after the reaper's grace period.")
        {
            cache, key,
        };
        connection.AddTo(command);
        command.SetHandler(async (parse, ct) =>
        {
            var keyName = ArtifactCommand.CheckKey(parse.GetRequiredValue(key));
            var (target, client) = connection.Open(parse, parse.GetRequiredValue(cache));
            using var _ = client;
            await client.DeleteArtifactAsync(target.Cache, keyName, ct).ConfigureAwait(false);
            Console.Out.WriteLine($"deleted artifact '{keyName}' from cache '{target.Cache}'");
            return 0;
        });
        return command;
    }
}
