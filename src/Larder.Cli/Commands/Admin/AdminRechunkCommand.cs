using System.CommandLine;
using Larder.Cli.Commands.Migrate;
using Larder.Cli.Infrastructure;
using Larder.Server.Ingest;
using Larder.Server.Storage.Chunks;
using Spectre.Console;

namespace Larder.Cli.Commands.Admin;

/// <summary>
/// <c>larder admin rechunk [--data DIR] [--config FILE]</c>: converts NARs still stored as one chunk into
/// content-defined chunks; resumable and idempotent. Exits 1 when some NARs could not be read.
/// </summary>
internal static class AdminRechunkCommand
{
    public static Command Create()
    {
        var (data, config) = ServerStores.CreateOptions();
        var command = new Command("rechunk", """
            Convert NARs stored as one chunk (pushed before chunking) into content-defined chunks with the configured
            Larder:Chunking sizes, so they deduplicate with other NARs. Each NAR is checked against its NarHash while it
            is read and switched to its chunks in one transaction; its old chunk goes to the reaper after
            Larder:Maintenance:ReleaseGrace, and its old nar/<FileHash> URL keeps working. Safe to run while the server
            serves, to interrupt and to run again (converted NARs are skipped). Uses the same configuration as
            'larder serve' (--data, --config, --Larder:Key=value).

            Examples:
              larder admin rechunk --data /var/lib/larder
              larder admin rechunk --config /etc/larder.json
            """)
        {
            data, config,
        };
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetHandler(async (parse, ct) =>
        {
            var stores = await ServerStores.OpenAsync(ServerStores.ServerArgs(parse, data, config)).ConfigureAwait(false);
            await using (stores.ConfigureAwait(false))
            {
                var blobs = await stores.GetBlobStoreAsync(ct).ConfigureAwait(false);
                var scratch = Directory.CreateTempSubdirectory("larder-rechunk-");
                try
                {
                    var options = Microsoft.Extensions.Options.Options.Create(stores.Options);
                    var chunks = new ChunkStore(blobs, stores.Metadata, new StagingArea(scratch.FullName), options, TimeProvider.System);
                    var rechunker = new NarRechunker(stores.Metadata, chunks, TimeProvider.System);
                    var report = await ServerStores.Guard(() => RunAsync(rechunker, ct)).ConfigureAwait(false);
                    foreach (var failure in report.Failed)
                    {
                        Console.Out.WriteLine($"not converted: {failure}");
                    }
                    Console.Out.WriteLine(
                        $"converted {report.Converted} NARs ({report.BytesRead / (1024.0 * 1024.0):F1} MiB read); " +
                        $"{report.LeftWhole} stay one chunk; {report.Failed.Count} failed");
                    return report.Failed.Count == 0 ? 0 : 1;
                }
                finally
                {
                    scratch.Delete(recursive: true);
                }
            }
        });
        return command;
    }

    private static async Task<RechunkReport> RunAsync(NarRechunker rechunker, CancellationToken cancellationToken)
    {
        if (Console.IsOutputRedirected || Console.IsErrorRedirected)
        {
            return await rechunker.RechunkAllAsync(null, cancellationToken).ConfigureAwait(false);
        }
        RechunkReport? report = null;
        await AnsiConsole.Progress()
            .Columns(new SpinnerColumn(), new TaskDescriptionColumn { Alignment = Justify.Left }, new ElapsedTimeColumn())
            .StartAsync(async context =>
            {
                var task = context.AddTask("rechunking NARs", autoStart: true, maxValue: double.MaxValue);
                task.IsIndeterminate = true;
                var progress = new Progress<RechunkReport>(p =>
                    task.Description = $"converted {p.Converted} NARs, {p.BytesRead / (1024.0 * 1024.0):F1} MiB read, {p.Failed.Count} failed");
                report = await rechunker.RechunkAllAsync(progress, cancellationToken).ConfigureAwait(false);
                task.StopTask();
            }).ConfigureAwait(false);
        return report!;
    }
}
