using Larder.Server.Tests.ScaleOut;
using Larder.Testing;
using Microsoft.Data.Sqlite;

namespace Larder.Server.Tests.Reliability;

/// <summary>
/// The real <c>larder serve</c> on SQLite + folder, SIGKILLed while it writes a blob: the write's temporary file under the
/// folder's <c>.tmp</c> stays behind, and the restarted server must remove it once it is older than the upload lifetime,
/// also while the killed server still holds the maintenance lease (as one killed in the middle of a reaper pass does,
/// for <c>Larder:Maintenance:LeaseDuration</c> after the kill). The crash runs found such leftovers 3.5 minutes after restarts.
/// </summary>
[Trait("Category", "Reliability")]
public sealed class InterruptedWriteTests
{
    private static readonly string[] QuickMaintenance = ["--Larder:Maintenance:CleanupInterval=00:00:01", "--Larder:Maintenance:StagedUploadTtl=00:01:02"];

    [Fact]
    public async Task A_temp_file_left_by_a_server_killed_mid_write_is_removed_after_restart_even_while_the_dead_server_holds_the_lease()
    {
        await using var cluster = await ScaleOutCluster.CreateAsync("sqlite", "folder");
        var first = await cluster.StartReplicaAsync(extraArgs: QuickMaintenance);
        var cache = ScaleOutNix.NewCacheName("interrupted");
        await first.Admin.CreateCacheAsync(cache, isPublic: true);
        var nix = await NixPeer.GetAsync();
        var environment = nix.EnvironmentWith($"netrc-file = {nix.WriteNetrc("127.0.0.1", first.AdminToken)}");
        var temp = Path.Combine(Setting(cluster, "--Larder:Storage:Folder:Path="), ".tmp");
        var server = first.Server;
        var restarted = new List<LarderServerProcess>();
        try
        {
            string[] leftovers = [];
            for (var attempt = 1; leftovers.Length == 0; attempt++)
            {
                Assert.True(attempt <= 5, "no push was caught in the middle of a blob write in 5 attempts");
                // 48 MiB of random bytes: several packs of chunks, each written to a temp file, flushed and renamed.
                var chain = await PayloadChain.BuildAsync(nix, 0, largeBytes: 48 << 20);
                using (var watcher = new FileSystemWatcher(temp))
                {
                    var writing = new TaskCompletionSource();
                    watcher.Created += (_, _) => writing.TrySetResult();
                    watcher.EnableRaisingEvents = true;
                    var push = NixPeer.TryRunNixAsync(environment, "nix", "copy", "--to", $"{server.BaseUrl}/{cache}?compression=none", chain.Members[0]);
                    await Task.WhenAny(writing.Task, push);
                    server.Kill();
                    await push;
                }
                leftovers = [.. Directory.EnumerateFiles(temp)];
                server = await LarderServerProcess.StartAsync(server.DataDirectory, cluster.BackendArgs().Concat(QuickMaintenance), port: server.Port);
                restarted.Add(server);
                if (leftovers.Length == 0)
                {
                    continue;
                }
                // As if the upload lifetime had passed since, and the server had died in the middle of a reaper pass.
                foreach (var file in leftovers)
                {
                    File.SetLastWriteTimeUtc(file, DateTime.UtcNow.AddHours(-1));
                }
                await HoldReaperLeaseAsync(cluster, "killed-replica", DateTimeOffset.UtcNow.AddMinutes(5));
            }

            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (leftovers.Any(File.Exists) && DateTime.UtcNow < deadline)
            {
                await Task.Delay(200);
            }
            Assert.All(leftovers, file => Assert.False(File.Exists(file), $"{file} is still there a minute after the restart"));
        }
        finally
        {
            foreach (var process in restarted)
            {
                await process.DisposeAsync();
            }
        }
    }

    private static string Setting(ScaleOutCluster cluster, string prefix) =>
        cluster.BackendArgs().Single(a => a.StartsWith(prefix, StringComparison.Ordinal))[prefix.Length..];

    private static async Task HoldReaperLeaseAsync(ScaleOutCluster cluster, string holder, DateTimeOffset until)
    {
        await using var connection = new SqliteConnection(Setting(cluster, "--Larder:Database:ConnectionString="));
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText =
            """
            INSERT INTO leases (name, holder, expires_at) VALUES ('reaper', $holder, $until)
            ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at;
            """;
        command.Parameters.AddWithValue("$holder", holder);
        command.Parameters.AddWithValue("$until", until.ToUnixTimeMilliseconds());
        await command.ExecuteNonQueryAsync();
    }
}
