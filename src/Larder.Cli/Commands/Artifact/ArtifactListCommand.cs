using System.CommandLine;
using Larder.Cli.Infrastructure;
using Larder.Cli.Output;
using Larder.Contracts.Artifacts;
using Larder.Contracts.Caches;
using Spectre.Console;

namespace Larder.Cli.Commands.Artifact;

/// <summary><c>larder artifact list CACHE [--json]</c>: every stored archive upload.</summary>
internal static class ArtifactListCommand
{
    public static Command Create()
    {
        var cache = ArtifactCommand.CacheArgument();
        var json = new Option<bool>("--json") { Description = "Print JSON." };
        var connection = new ArtifactConnection();
        var command = new Command("list", "List the cache's archives: key, size, upload and last restore, newest upload first per key (needs read permission).")
        {
            cache, json,
        };
        connection.AddTo(command);
        command.SetHandler(async (parse, ct) =>
        {
            var (target, client) = connection.Open(parse, parse.GetRequiredValue(cache));
            using var _ = client;
            var list = await client.ListArtifactsAsync(target.Cache, ct).ConfigureAwait(false);
            if (parse.GetValue(json))
            {
                JsonOutput.Write(list, ArtifactJsonContext.Default.ArtifactListDto);
                return 0;
            }
            if (list.Artifacts.Count == 0)
            {
                Console.Out.WriteLine($"cache '{target.Cache}' has no artifact archives");
                return 0;
            }
            var table = new Table().AddColumn("key").AddColumn(new TableColumn("size").RightAligned()).AddColumn("uploaded").AddColumn("last used").AddColumn("sha256");
            foreach (var artifact in list.Artifacts)
            {
                table.AddRow(
                    Markup.Escape(artifact.Key), ByteSizeText.Format(artifact.Size), $"{artifact.CreatedAt.UtcDateTime:yyyy-MM-dd HH:mm}Z",
                    $"{artifact.LastUsedAt.UtcDateTime:yyyy-MM-dd HH:mm}Z", artifact.Sha256[..16]);
            }
            AnsiConsole.Write(table);
            return 0;
        });
        return command;
    }
}
