using Larder.Server.Tests.EndToEnd;
using Larder.Testing;
using Xunit.Abstractions;

namespace Larder.Server.Tests.Reliability;

/// <summary>
/// Mixed narinfo + NAR GETs (wrk) with pushes running beside them, in two equal phases, against the real
/// <c>larder serve</c> (SQLite + folder): no errors, p99 latency, peak server memory, and no growth of open files or
/// staged data from one phase to the next. Short in the test suite; <c>bench/reliability/run.sh sustained</c> runs 60 s.
/// </summary>
[Trait("Category", "Reliability")]
public sealed class SustainedLoadTests(ITestOutputHelper output)
{
    /// <summary>Open files may differ by this much between two phases without a leak (pooled connections, timers).</summary>
    private const int FileSlack = 8;

    [Fact]
    public async Task Mixed_reads_and_pushes_get_no_errors_and_leak_no_files_or_staged_data()
    {
        var report = new ReliabilityReport(output);
        using var data = new TempDirectory("larder-sustained");
        using var scratch = new TempDirectory("larder-sustained-scratch");
        await using var server = await LarderServerProcess.StartAsync(data.Path);
        using var client = new HttpClient { BaseAddress = new Uri(server.BaseUrl), Timeout = TimeSpan.FromMinutes(2) };
        var cache = ServerFixture.NewCacheName("load");
        await new LarderAdmin(client, server.AdminToken).CreateCacheAsync(cache, isPublic: true);
        var nix = await NixPeer.GetAsync();
        var pushes = new ConcurrentPushes(nix, server.BaseUrl, server.AdminToken, scratch.Path);
        var served = await PayloadChain.BuildAsync(nix, 12, largeBytes: 1 << 20);
        (await pushes.RunAsync(new PlannedPush(cache, 12, "nix-zstd"), served)).EnsureSuccess();
        var urls = await ReadUrlsAsync(client, cache, served);
        var phase = TimeSpan.FromSeconds(Math.Max(2, ReliabilitySettings.LoadSeconds / 2));
        var toPush = await PayloadChain.BuildAsync(nix, (int)phase.TotalSeconds + 4, smallBytes: 16 << 10, largeBytes: 1 << 20);
        var connections = ReliabilitySettings.LoadSeconds >= 30 ? 32 : 8;

        var staging = Path.Combine(data.Path, "staging");
        var before = (Files: ServerResources.OpenFiles(server.ProcessId), Staged: ServerResources.Usage(staging), Rss: ServerResources.ResidentMiB(server.ProcessId));
        var nextMember = 0;
        var phases = new List<(WrkRun Wrk, int Pushed, List<string> Failed, int Files)>();
        for (var i = 0; i < 2; i++)
        {
            var deadline = DateTime.UtcNow + phase;
            var failed = new List<string>();
            var pushed = 0;
            async Task PushWorkerAsync(string tool)
            {
                int member;
                while (DateTime.UtcNow < deadline && (member = Interlocked.Increment(ref nextMember)) < toPush.Members.Count)
                {
                    var result = await pushes.RunAsync(new PlannedPush(cache, member, tool), toPush);
                    Interlocked.Increment(ref pushed);
                    if (result.ExitCode != 0)
                    {
                        lock (failed)
                        {
                            failed.Add($"{result.Command}: {result.Stderr.Trim()}");
                        }
                    }
                }
            }
            var workers = new[] { PushWorkerAsync("nix-zstd"), PushWorkerAsync("larder") };
            var wrk = await WrkRun.RunAsync(server.BaseUrl, urls, phase, connections, scratch.Path);
            await Task.WhenAll(workers);
            // wrk's connections close as it exits; give the server a moment to notice.
            await Task.Delay(TimeSpan.FromSeconds(2));
            phases.Add((wrk, pushed, failed, ServerResources.OpenFiles(server.ProcessId)));
        }
        var stagedAfter = ServerResources.Usage(staging);
        var peak = ServerResources.PeakResidentMiB(server.ProcessId);

        report.Line($"sustained load, sqlite + folder: 2 phases of {phase.TotalSeconds:0} s, wrk -c{connections} over {urls.Count} narinfo and NAR URLs, 2 push workers; {ReliabilityReport.LoadAverage()}");
        report.Line($"  {"phase",-6} {"requests",9} {"req/s",8} {"p50 ms",8} {"p99 ms",8} {"non-2xx",8} {"socket err",10} {"pushes",7} {"failed",7} {"open files",10}");
        for (var i = 0; i < phases.Count; i++)
        {
            var (wrk, pushed, failed, files) = phases[i];
            report.Line($"  {i + 1,-6} {wrk.Requests,9} {wrk.RequestsPerSecond,8:0} {wrk.P50Ms,8:0.0} {wrk.P99Ms,8:0.0} {wrk.NonSuccess,8} {wrk.SocketErrors,10} {pushed,7} {failed.Count,7} {files,10}");
        }
        report.Line($"  server RSS before {before.Rss:0} MiB, peak {peak:0} MiB; open files before {before.Files}, after {phases[^1].Files}; " +
            $"staging before {before.Staged.Files} files ({before.Staged.Bytes} bytes), after {stagedAfter.Files} files ({stagedAfter.Bytes} bytes)");

        Assert.All(phases, p => Assert.True(p.Failed.Count == 0, string.Join('\n', p.Failed)));
        Assert.All(phases, p => Assert.Equal(0, p.Wrk.NonSuccess + p.Wrk.SocketErrors));
        Assert.True(phases[1].Files <= phases[0].Files + FileSlack, $"open files grew from {phases[0].Files} to {phases[1].Files} between equal phases");
        Assert.Equal((0, 0L), stagedAfter);
    }

    /// <summary>The narinfo URL and the NAR URL of every member of <paramref name="chain"/> (all served).</summary>
    private static async Task<List<string>> ReadUrlsAsync(HttpClient client, string cache, PayloadChain chain)
    {
        var walker = new CacheWalker(client);
        var urls = new List<string>();
        var problems = new List<string>();
        foreach (var path in chain.Members)
        {
            var narInfo = await walker.NarInfoAsync(cache, path, problems) ?? throw new InvalidOperationException($"{path} was pushed but is not served: {string.Join("; ", problems)}");
            urls.Add($"/{cache}/{Path.GetFileName(path)[..32]}.narinfo");
            urls.Add($"/{cache}/{narInfo.Url}");
        }
        return urls;
    }
}
