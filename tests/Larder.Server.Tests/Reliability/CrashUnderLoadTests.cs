using System.Diagnostics;
using System.Text.RegularExpressions;
using Amazon.S3.Model;
using Larder.Server.Tests.ScaleOut;
using Larder.Testing;
using Xunit.Abstractions;

namespace Larder.Server.Tests.Reliability;

/// <summary>
/// The real <c>larder serve</c> killed (SIGKILL) at a random moment while many pushes of overlapping closures run, round
/// after round. After each restart: <c>larder admin verify</c> is clean, every served narinfo has its NAR and every
/// reference (walked over HTTP), nothing is left staged, and re-running the same pushes completes every closure.
/// Short in the test suite; <c>bench/reliability/run.sh crash</c> runs 20 rounds of 50 pushes.
/// </summary>
[Trait("Category", "Reliability")]
public sealed class CrashUnderLoadTests(ITestOutputHelper output)
{
    /// <summary>
    /// A fast reaper and a short upload lifetime, so leftovers of interrupted writes are due for deletion within a long
    /// run. Not the shortest lifetime: an ingest must claim its chunks while they are still a minute from due, and on a
    /// busy machine a 3 MiB ingest into S3 can take longer than the 2 s that the minimum (00:01:02) would leave it.
    /// </summary>
    private static readonly string[] QuickMaintenance =
    [
        "--Larder:Maintenance:StagedUploadTtl=00:03:00", "--Larder:Maintenance:ReleaseGrace=00:00:01", "--Larder:Maintenance:CleanupInterval=00:00:01",
    ];

    /// <summary>A leftover of an interrupted write older than this outlived the upload lifetime and the reaper.</summary>
    private static readonly TimeSpan StaleAfter = TimeSpan.FromMinutes(3.5);

    [Theory]
    [InlineData("sqlite", "folder")]
    [InlineData("postgres", "s3")]
    public async Task Killed_during_concurrent_pushes_the_server_restarts_verified_and_complete_and_the_pushes_then_complete(string database, string storage)
    {
        var report = new ReliabilityReport(output);
        var random = new Random();
        await using var cluster = await ScaleOutCluster.CreateAsync(database, storage);
        var first = await cluster.StartReplicaAsync(extraArgs: QuickMaintenance);
        string[] caches = [ScaleOutNix.NewCacheName("crash-a"), ScaleOutNix.NewCacheName("crash-b")];
        foreach (var cache in caches)
        {
            await first.Admin.CreateCacheAsync(cache, isPublic: true);
        }
        using var scratch = new TempDirectory("larder-crash-load");
        var nix = await NixPeer.GetAsync();
        var pushes = new ConcurrentPushes(nix, first.Server.BaseUrl, first.AdminToken, scratch.Path);
        var walker = new CacheWalker(first.Client);
        var server = first.Server;
        var restarted = new List<LarderServerProcess>();
        var knownPaths = new List<string>();
        var violations = new List<string>();
        // The kill falls at a random moment of the time the pushes take: guessed for the first round, then measured.
        var killWindow = TimeSpan.FromSeconds(ReliabilitySettings.Pushes);
        report.Line($"crash under load, {database} + {storage}: {ReliabilitySettings.Rounds} rounds of {ReliabilitySettings.Pushes} pushes, chains of {ReliabilitySettings.ChainLength + 1} paths");
        try
        {
            for (var round = 1; round <= ReliabilitySettings.Rounds; round++)
            {
                var chain = await PayloadChain.BuildAsync(nix, ReliabilitySettings.ChainLength);
                knownPaths.AddRange(chain.Members);
                var plan = ConcurrentPushes.Plan(random, ReliabilitySettings.Pushes, ReliabilitySettings.ChainLength, caches);

                var running = plan.Select(p => pushes.RunAsync(p, chain)).ToList();
                var killAfter = TimeSpan.FromMilliseconds(random.Next(200, (int)killWindow.TotalMilliseconds));
                await Task.Delay(killAfter);
                var endedBeforeKill = running.Select(t => t.IsCompleted).ToArray();
                var inFlight = endedBeforeKill.Count(ended => !ended);
                var failedBeforeKill = FailedRequests(server.Output).ToList();
                server.Kill();
                var firstRun = await Task.WhenAll(running);
                var killed = firstRun.Count(r => r.ExitCode != 0);
                var roundViolations = new List<string>();
                if (failedBeforeKill.Count > 0)
                {
                    roundViolations.Add("the server failed requests before the kill:\n" + string.Join('\n', failedBeforeKill));
                }
                // Pushes that failed before the kill, and not by Nix's own error, are noted with what they said.
                var endedFailed = firstRun.Where((r, i) => endedBeforeKill[i] && r.ExitCode != 0).ToList();
                var endedByNix = endedFailed.Count(r => r.Stderr.Contains(NixCoroutineError, StringComparison.Ordinal));
                foreach (var other in endedFailed.Where(r => !r.Stderr.Contains(NixCoroutineError, StringComparison.Ordinal)).Take(3))
                {
                    var said = other.Stderr.Trim();
                    report.Line($"  note round {round}: a push failed before the kill: {other.Command}: {(said.Length > 400 ? said[^400..] : said)}");
                }

                var verify = await ServerFaultTests.VerifyAsync(cluster);
                if (verify.ExitCode != 0)
                {
                    roundViolations.Add($"larder admin verify exited {verify.ExitCode}: {verify.Stdout.Trim()} {verify.Stderr.Trim()}");
                }
                server = await LarderServerProcess.StartAsync(
                    server.DataDirectory, cluster.BackendArgs().Concat(QuickMaintenance), RequestLogging, port: server.Port);
                restarted.Add(server);
                var staging = ServerResources.Usage(Path.Combine(server.DataDirectory, "staging"));
                if (staging.Files > 0)
                {
                    roundViolations.Add($"staging holds {staging.Files} files ({staging.Bytes} bytes) after the restart");
                }
                var uploads = ServerResources.Usage(Path.Combine(server.DataDirectory, "uploads"));
                var thisRound = chain.Members.ToHashSet();
                var servedAfterKill = 0;
                foreach (var cache in caches)
                {
                    var (found, served) = await walker.WalkAsync(cache, knownPaths, thisRound);
                    roundViolations.AddRange(found);
                    servedAfterKill += served;
                }

                var clock = Stopwatch.StartNew();
                var again = await Task.WhenAll(plan.Select(p => pushes.RunAsync(p, chain)));
                killWindow = TimeSpan.FromMilliseconds(Math.Max(1000, clock.Elapsed.TotalMilliseconds));
                var retried = 0;
                for (var i = 0; i < again.Length; i++)
                {
                    if (again[i].ExitCode != 0 && again[i].Stderr.Contains(NixCoroutineError, StringComparison.Ordinal))
                    {
                        retried++;
                        again[i] = await pushes.RunAsync(plan[i], chain);
                    }
                }
                roundViolations.AddRange(again.Where(r => r.ExitCode != 0).Select(r => $"re-run push failed: {r.Command}: {r.Stderr.Trim()}"));
                var failedRequests = FailedRequests(server.Output).ToList();
                if (failedRequests.Count > 0)
                {
                    roundViolations.Add("the server failed requests after the restart:\n" + string.Join('\n', failedRequests));
                }
                roundViolations.AddRange(await IncompleteClosuresAsync(walker, plan.Where((_, i) => again[i].ExitCode == 0), chain));
                // Checked once the restarted server has run its reaper a while, not at once: a leftover may come due
                // while no server runs (between the kill and the restart), and only a running one removes it.
                var stale = await StaleLeftoversAsync(cluster);
                if (stale > 0)
                {
                    roundViolations.Add($"{stale} leftovers of interrupted blob writes outlived the upload lifetime");
                }
                foreach (var cache in caches)
                {
                    roundViolations.AddRange((await walker.WalkAsync(cache, chain.Members, thisRound)).Violations);
                }

                report.Line($"  round {round}: killed after {killAfter.TotalSeconds:0.0} s with {inFlight}/{plan.Count} pushes in flight ({killed} failed, {endedFailed.Count} of them before the kill, {endedByNix} by Nix's '{NixCoroutineError}'); " +
                    $"verify exit {verify.ExitCode}; {servedAfterKill} paths served after restart; staging {staging.Files} files; uploads {uploads.Files} files " +
                    $"({uploads.Bytes} bytes); stale blob leftovers {stale}; re-run {again.Count(r => r.ExitCode == 0)}/{plan.Count} ok " +
                    $"({retried} retried after Nix's '{NixCoroutineError}'); " +
                    $"violations {roundViolations.Count}; {ReliabilityReport.LoadAverage()}");
                // Written with their round, so a long run that is stopped early still says what went wrong.
                foreach (var violation in roundViolations)
                {
                    report.Line($"  VIOLATION round {round}: {violation}");
                }
                violations.AddRange(roundViolations.Select(v => $"round {round}: {v}"));
            }
        }
        finally
        {
            foreach (var process in restarted)
            {
                await process.DisposeAsync();
            }
        }
        report.Line($"  {database} + {storage}: {ReliabilitySettings.Rounds} rounds, {violations.Count} violations");
        Assert.Empty(violations);
    }

    /// <summary>The server logs every request with its status, so a failed push shows what the server answered.</summary>
    private static readonly Dictionary<string, string> RequestLogging = new()
    {
        ["Logging__LogLevel__Microsoft.AspNetCore.Hosting.Diagnostics"] = "Information",
    };

    /// <summary>
    /// Nix 2.8's <c>nix copy</c> sometimes stops with this when several copies of overlapping closures run at once, with
    /// no failed request on the server's side (it ends its own NAR source early): such a push is retried once, and
    /// counted, rather than taken for a server fault. Any request the server failed is a violation by itself.
    /// </summary>
    private const string NixCoroutineError = "coroutine has finished";

    /// <summary>
    /// Log lines of requests that the server answered with a status other than 2xx, 401 (Nix's credentials challenge) or
    /// 404, errors it logged, and failed maintenance passes (a reaper pass that fails leaves storage unreclaimed).
    /// </summary>
    private static IEnumerable<string> FailedRequests(string serverOutput) =>
        serverOutput.Split('\n').Where(l => Regex.IsMatch(l, @" - (40[02356789]|4[1-9]\d|5\d\d) |^fail:|maintenance job .* failed", RegexOptions.IgnoreCase));

    /// <summary>Every path of the closure of every push that succeeded must be served by its cache.</summary>
    private static async Task<List<string>> IncompleteClosuresAsync(CacheWalker walker, IEnumerable<PlannedPush> succeeded, PayloadChain chain)
    {
        var missing = new List<string>();
        foreach (var (cache, member) in succeeded.Select(p => (p.Cache, p.Member)).Distinct())
        {
            foreach (var path in chain.Members.Take(member + 1))
            {
                if (await walker.NarInfoAsync(cache, path, missing) is null)
                {
                    missing.Add($"{cache}: {path} (closure of member {member}) is not served after a successful push");
                }
            }
        }
        return missing;
    }

    /// <summary>Temporary blob files (folder) or unfinished multipart uploads (S3) older than <see cref="StaleAfter"/>.</summary>
    private static async Task<int> StaleLeftoversAsync(ScaleOutCluster cluster)
    {
        var cutoff = DateTime.UtcNow - StaleAfter;
        if (cluster.Bucket is { } bucket)
        {
            var uploads = await bucket.Client.ListMultipartUploadsAsync(new ListMultipartUploadsRequest { BucketName = bucket.Name });
            return (uploads.MultipartUploads ?? []).Count(u => u.Initiated.ToUniversalTime() < cutoff);
        }
        var folder = cluster.BackendArgs().Single(a => a.StartsWith("--Larder:Storage:Folder:Path=", StringComparison.Ordinal)).Split('=', 2)[1];
        var temp = new DirectoryInfo(Path.Combine(folder, ".tmp"));
        return temp.Exists ? temp.EnumerateFiles().Count(f => f.LastWriteTimeUtc < cutoff) : 0;
    }
}
