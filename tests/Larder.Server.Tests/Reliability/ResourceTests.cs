using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using Larder.Server.Tests.BinaryCache;
using Larder.Server.Tests.EndToEnd;
using Larder.Server.Tests.ScaleOut;
using Larder.Testing;
using Xunit.Abstractions;

namespace Larder.Server.Tests.Reliability;

/// <summary>
/// The server at the edge of its resources: a large NAR pushed by <c>nix copy</c> (memory sampled), a data directory
/// on a file system that fills up mid-push, and an object store that resets or never answers. Short in the test suite;
/// <c>bench/reliability/run.sh resources</c> pushes a 2 GiB NAR.
/// </summary>
[Trait("Category", "Reliability")]
public sealed class ResourceTests(ITestOutputHelper output)
{
    private const int SmallFileSystemMiB = 40;
    private const int OverflowingNarMiB = 64;

    [Fact]
    public async Task A_large_nar_pushed_by_nix_copy_is_served_and_the_server_memory_is_reported()
    {
        var report = new ReliabilityReport(output);
        using var data = new TempDirectory("larder-large-nar");
        await using var server = await LarderServerProcess.StartAsync(data.Path);
        using var client = new HttpClient { BaseAddress = new Uri(server.BaseUrl), Timeout = TimeSpan.FromMinutes(5) };
        var (cache, env) = await PublicCacheAsync(server, client);
        var nix = await NixPeer.GetAsync();
        var large = await PayloadChain.BuildAsync(nix, 0, largeBytes: ReliabilitySettings.LargeNarMiB * (1L << 20));
        var before = ServerResources.ResidentMiB(server.ProcessId);
        var sampled = 0.0;
        using var stop = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                sampled = Math.Max(sampled, ServerResources.ResidentMiB(server.ProcessId));
                await Task.Delay(200);
            }
        });
        var clock = Stopwatch.StartNew();

        var push = await ProcessRunner.RunAsync("nix", ["copy", "--to", $"{server.BaseUrl}/{cache}?compression=none", large.Members[0]],
            new ProcessOptions { Environment = env, Timeout = TimeSpan.FromMinutes(30) });

        clock.Stop();
        await stop.CancelAsync();
        await sampler;
        var peak = ServerResources.PeakResidentMiB(server.ProcessId);
        report.Line($"large NAR: nix copy --to of {ReliabilitySettings.LargeNarMiB} MiB (no compression) in {clock.Elapsed.TotalSeconds:0} s; " +
            $"server RSS before {before:0} MiB, highest sampled {sampled:0} MiB, peak (VmHWM) {peak:0} MiB, target < 200 MiB; {ReliabilityReport.LoadAverage()}");
        push.EnsureSuccess();
        var (violations, served) = await new CacheWalker(client).WalkAsync(cache, large.Members, large.Members.ToHashSet());
        Assert.Empty(violations);
        Assert.Equal(1, served);
    }

    [Fact]
    public async Task A_full_data_file_system_fails_the_push_with_507_shows_nothing_and_the_server_recovers_when_space_returns()
    {
        var report = new ReliabilityReport(output);
        await using var fs = await SmallFileSystem.MountAsync(SmallFileSystemMiB);
        var dataDirectory = Path.Combine(fs.Path, "data");
        await using var server = await LarderServerProcess.StartAsync(dataDirectory);
        using var client = new HttpClient { BaseAddress = new Uri(server.BaseUrl), Timeout = TimeSpan.FromMinutes(5) };
        var (cache, env) = await PublicCacheAsync(server, client);
        var nix = await NixPeer.GetAsync();
        var large = await PayloadChain.BuildAsync(nix, 0, largeBytes: OverflowingNarMiB * (1L << 20));
        var path = large.Members[0];
        var nar = await NarFixtures.DumpAsync(path);

        using var request = new HttpRequestMessage(HttpMethod.Put, $"/{cache}/nar/{NarFixtures.Sha256Nix32(nar)}.nar")
        {
            Content = new ByteArrayContent(nar) { Headers = { ContentType = new MediaTypeHeaderValue("application/x-nix-nar") } },
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", server.AdminToken);
        using var full = await client.SendAsync(request);
        var fullBody = await full.Content.ReadAsStringAsync();
        // Longer than TryRunNixAsync's 3 minutes, which a 64 MiB copy can take on a very busy machine: a hang still shows.
        var copy = await ProcessRunner.RunAsync("nix", ["copy", "--to", $"{server.BaseUrl}/{cache}?compression=none", path],
            new ProcessOptions { Environment = env, Timeout = TimeSpan.FromMinutes(10) });
        var narInfoWhileFull = (await new CacheWalker(client).WalkAsync(cache, [path], new HashSet<string>())).Served;
        var staged = ServerResources.Usage(Path.Combine(dataDirectory, "staging"));
        report.Line($"full disk: PUT of a {OverflowingNarMiB} MiB NAR onto a {SmallFileSystemMiB} MiB tmpfs answered {(int)full.StatusCode} '{fullBody.Trim()}'; " +
            $"nix copy exited {copy.ExitCode}{(copy.TimedOut ? " (timed out)" : "")}; paths served {narInfoWhileFull}; staging {staged.Files} files");

        Assert.Equal(HttpStatusCode.InsufficientStorage, full.StatusCode);
        Assert.Contains("storage is full", fullBody, StringComparison.Ordinal);
        Assert.False(copy.TimedOut, "nix copy hung on the full disk");
        Assert.NotEqual(0, copy.ExitCode);
        Assert.True(copy.Stderr.Contains("HTTP error 507", StringComparison.Ordinal), $"nix copy did not report a 507:\n{copy.Stderr}");
        Assert.Equal(0, narInfoWhileFull);
        Assert.Equal(0, staged.Files);
        Assert.False(server.HasExited);

        await fs.GrowAsync(SmallFileSystemMiB + 4 * OverflowingNarMiB);
        (await NixPeer.TryRunNixAsync(env, "nix", "copy", "--to", $"{server.BaseUrl}/{cache}?compression=none", path)).EnsureSuccess();
        var (violations, served) = await new CacheWalker(client).WalkAsync(cache, [path], new HashSet<string> { path });
        Assert.Empty(violations);
        Assert.Equal(1, served);
        await server.StopAsync();
    }

    [Theory]
    [InlineData("resets connections")]
    [InlineData("never answers")]
    public async Task An_object_store_that_fails_fails_the_push_cleanly_within_a_bounded_time(string fault)
    {
        var report = new ReliabilityReport(output);
        await using var cluster = await ScaleOutCluster.CreateAsync("sqlite", "s3");
        await using var proxy = new TcpFaultProxy(new Uri(cluster.Bucket!.Endpoint.ServiceUrl));
        var replica = await cluster.StartReplicaAsync(proxy.Url, ["--Larder:Storage:S3:MaxRetries=1", "--Larder:Storage:S3:RequestTimeout=00:00:05"]);
        var nix = await NixPeer.GetAsync();
        var (cache, _, writeEnv) = await ScaleOutNix.PublicCacheAsync(nix, replica, "s3fault");
        var chain = await PayloadChain.BuildAsync(nix, 1);
        var push = new[] { "copy", "--to", $"{replica.CacheUrl(cache)}?compression=zstd", chain.Members[1] };

        if (fault == "never answers")
        {
            proxy.Stall();
        }
        else
        {
            proxy.Break();
        }
        var clock = Stopwatch.StartNew();
        var failed = await NixPeer.TryRunNixAsync(writeEnv, "nix", push);
        clock.Stop();
        report.Line($"object store that {fault}: nix copy failed after {clock.Elapsed.TotalSeconds:0.0} s (RequestTimeout 5 s, MaxRetries 1), " +
            $"exit {failed.ExitCode}, {ReliabilityReport.LoadAverage()}");

        Assert.False(failed.TimedOut, $"nix copy hung while the object store {fault}");
        Assert.NotEqual(0, failed.ExitCode);
        Assert.True(failed.Stderr.Contains("HTTP error 503", StringComparison.Ordinal), $"nix copy did not report a 503:\n{failed.Stderr}\nserver:\n{replica.Server.Output}");
        // 2 × 5 s of requests to the store, plus Nix and the server on a machine that may be very busy (59 s seen at load 137).
        Assert.True(clock.Elapsed < TimeSpan.FromMinutes(2), $"the push took {clock.Elapsed} to fail");
        proxy.Restore();
        Assert.Equal(0, (await new CacheWalker(replica.Client).WalkAsync(cache, chain.Members, new HashSet<string>())).Served);
        await ScaleOutNix.RunAsync(writeEnv, "nix", push);
        var (violations, served) = await new CacheWalker(replica.Client).WalkAsync(cache, chain.Members, chain.Members.ToHashSet());
        Assert.Empty(violations);
        Assert.Equal(2, served);
    }

    private static async Task<(string Cache, IReadOnlyDictionary<string, string> WriteEnv)> PublicCacheAsync(LarderServerProcess server, HttpClient client)
    {
        var cache = ServerFixture.NewCacheName("res");
        await new LarderAdmin(client, server.AdminToken).CreateCacheAsync(cache, isPublic: true);
        var nix = await NixPeer.GetAsync();
        return (cache, nix.EnvironmentWith($"netrc-file = {nix.WriteNetrc("127.0.0.1", server.AdminToken)}"));
    }
}
