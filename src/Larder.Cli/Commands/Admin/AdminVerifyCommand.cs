using System.CommandLine;
using Larder.Cli.Commands.Migrate;
using Larder.Cli.Infrastructure;
using Larder.Server.BinaryCache.Serving;
using Larder.Server.Maintenance.Verify;
using Microsoft.Extensions.Logging.Abstractions;
using Spectre.Console;

namespace Larder.Cli.Commands.Admin;

/// <summary>
/// <c>larder admin verify [--data DIR] [--config FILE] [--quarantine]</c>: re-reads every stored NAR and checks its
/// hashes; exits 1 when anything is missing or corrupt. With <c>--quarantine</c> it also hides the paths of bad NARs.
/// </summary>
internal static class AdminVerifyCommand
{
    public static Command Create()
    {
        var (data, config) = ServerStores.CreateOptions();
        var quarantine = new Option<bool>("--quarantine")
        {
            Description = "Move the damaged blobs of bad NARs under quarantine/ in the blob store and hide the paths using them (and their dependents).",
        };
        var command = new Command("verify", """
            Re-read every stored NAR from the blob store and check each chunk's stored hash, its decompressed hash, and
            the whole NAR's FileHash, NarHash and NarSize. Lists missing blobs and mismatches; exits 1 if there are any.
            Uses the same configuration as 'larder serve' (--data, --config, --Larder:Key=value).

            Examples:
              larder admin verify --data /var/lib/larder
              larder admin verify --config /etc/larder.json --quarantine
            """)
        {
            data, config, quarantine,
        };
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetHandler(async (parse, ct) =>
        {
            var stores = await ServerStores.OpenAsync(ServerStores.ServerArgs(parse, data, config)).ConfigureAwait(false);
            await using (stores.ConfigureAwait(false))
            {
                var blobs = await stores.GetBlobStoreAsync(ct).ConfigureAwait(false);
                // No narinfo memory here: the changes go to the running replicas (PostgreSQL NOTIFY; SQLite: its bound).
                var serving = new ServingChanges(new NarInfoMemory(TimeProvider.System), stores.Metadata, NullLogger<ServingChanges>.Instance);
                var verifier = new NarVerifier(stores.Metadata, blobs, serving, TimeProvider.System);
                var doQuarantine = parse.GetValue(quarantine);
                var report = await ServerStores.Guard(() => RunAsync(verifier, doQuarantine, ct)).ConfigureAwait(false);
                foreach (var problem in report.Problems)
                {
                    Console.Out.WriteLine($"{problem.NarHash} {Describe(problem.Kind)}: {problem.Detail}");
                }
                foreach (var key in report.Quarantined)
                {
                    Console.Out.WriteLine($"quarantined {key} -> {NarVerifier.QuarantinePrefix}{key}");
                }
                if (report.Hidden.Count > 0)
                {
                    var caches = (await stores.Metadata.ListCachesAsync(ct).ConfigureAwait(false)).ToDictionary(c => c.Id, c => c.Name);
                    foreach (var path in report.Hidden)
                    {
                        var why = path.BecauseOf is null ? "its NAR is bad" : $"it references {path.BecauseOf}";
                        Console.Out.WriteLine($"hidden {path.StorePath} in cache '{caches.GetValueOrDefault(path.CacheId, "?")}': {why}");
                    }
                }
                var badNars = report.Problems.Select(p => p.NarId).Distinct().Count();
                Console.Out.WriteLine(
                    $"checked {report.NarsChecked} NARs ({report.BytesRead / (1024.0 * 1024.0):F1} MiB read): "
                    + (report.Clean ? "all good" : $"{report.Problems.Count} problems in {badNars} NARs"));
                return report.Clean ? 0 : 1;
            }
        });
        return command;
    }

    private static async Task<VerifyReport> RunAsync(NarVerifier verifier, bool quarantine, CancellationToken cancellationToken)
    {
        if (Console.IsOutputRedirected || Console.IsErrorRedirected)
        {
            return await verifier.VerifyAllAsync(quarantine, null, cancellationToken).ConfigureAwait(false);
        }
        VerifyReport? report = null;
        await AnsiConsole.Progress()
            .Columns(new SpinnerColumn(), new TaskDescriptionColumn { Alignment = Justify.Left }, new ElapsedTimeColumn())
            .StartAsync(async context =>
            {
                var task = context.AddTask("verifying NARs", autoStart: true, maxValue: double.MaxValue);
                task.IsIndeterminate = true;
                var progress = new Progress<VerifyProgress>(p =>
                    task.Description = $"verified {p.NarsChecked} NARs, {p.BytesRead / (1024.0 * 1024.0):F1} MiB, {p.Problems} problems");
                report = await verifier.VerifyAllAsync(quarantine, progress, cancellationToken).ConfigureAwait(false);
                task.StopTask();
            }).ConfigureAwait(false);
        return report!;
    }

    private static string Describe(VerifyProblemKind kind) => kind switch
    {
        VerifyProblemKind.MissingBlob => "missing blob",
        VerifyProblemKind.StoredHashMismatch => "stored bytes corrupt",
        VerifyProblemKind.Undecompressible => "does not decompress",
        VerifyProblemKind.ChunkHashMismatch => "chunk hash mismatch",
        VerifyProblemKind.FileHashMismatch => "FileHash mismatch",
        VerifyProblemKind.NarHashMismatch => "NarHash mismatch",
        _ => kind.ToString(),
    };
}
