using System.Net;
using System.Net.Http.Headers;
using Larder.Cli.Tests.Key;
using Larder.Testing;

namespace Larder.Cli.Tests.EndToEnd;

/// <summary>
/// A server killed (SIGKILL) in the middle of a garbage collection restarts into a consistent cache: every narinfo it
/// serves has its NAR and its references, and <c>larder admin verify</c> is clean.
/// </summary>
[Trait("Category", "EndToEnd")]
public sealed class GcCrashTests(LarderFixture fixture) : IClassFixture<LarderFixture>
{
    private static readonly string[] ServerArgs =
    [
        "--Larder:Retention:RecentPushProtection=00:00:00",
        "--Larder:Maintenance:ReleaseGrace=00:00:00.001",
        "--Larder:Maintenance:CleanupInterval=00:00:00.300",
    ];

    [Fact]
    public async Task Killing_the_server_at_several_points_of_a_gc_leaves_every_served_narinfo_with_its_blob_and_verify_clean()
    {
        using var data = new TempDirectory("larder-gc-crash");
        var server = await LarderServerProcess.StartAsync(data.Path, ServerArgs);
        var env = new Dictionary<string, string> { ["LARDER_SERVER"] = server.BaseUrl, ["LARDER_TOKEN"] = server.AdminToken };
        var cache = LarderFixture.NewCacheName("crash");
        (await fixture.RunWithAsync(env, null, "cache", "create", cache)).EnsureSuccess();
        var paths = await MakePathsAsync(data.Path, 240);
        var chain = await fixture.Nix.BuildChainAsync(12, Guid.NewGuid().ToString("N"));
        (await fixture.RunWithAsync(env, string.Join('\n', paths.Append(chain)), "push", cache, "-")).EnsureSuccess();
        var everything = paths.Concat((await fixture.Nix.RunNixAsync("nix-store", "--query", "--requisites", chain)).Stdout
            .Split('\n', StringSplitOptions.RemoveEmptyEntries)).ToList();
        (await fixture.RunWithAsync(env, null, "cache", "configure", cache, "--max-size", "1")).EnsureSuccess();
        var admin = server.AdminToken;

        var interrupted = 0;
        foreach (var killAfter in new[] { 5, 40, 250, 700 })
        {
            using (var client = Client(server, admin))
            {
                var gc = client.PostAsync($"api/v1/caches/{cache}/gc", null);
                await Task.Delay(killAfter);
                server.Kill();
                // A fast collection may finish before a late kill; the consistency checks below hold either way.
                try
                {
                    (await gc).EnsureSuccessStatusCode();
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                {
                    interrupted++;
                }
            }
            await server.DisposeAsync();
            server = await LarderServerProcess.StartAsync(data.Path, ServerArgs, port: server.Port);
            await Task.Delay(1000); // a reaper pass deletes the blobs of what the interrupted collection released
            await AssertServedPathsAreWholeAsync(server, admin, cache, everything);
            await server.StopAsync();
            var verify = await LarderKeyCli.RunAsync("admin", "verify", "--data", data.Path);
            Assert.True(verify.ExitCode == 0, $"admin verify after a kill at {killAfter} ms: {verify.Stdout}{verify.Stderr}");
            await server.DisposeAsync();
            server = await LarderServerProcess.StartAsync(data.Path, ServerArgs, port: server.Port);
        }
        await server.DisposeAsync();
        Assert.True(interrupted > 0, "no kill landed during a collection: the test did not exercise a crash mid-GC");
    }

    /// <summary>Adds <paramref name="count"/> small content-addressed paths to the Nix store.</summary>
    private async Task<string[]> MakePathsAsync(string root, int count)
    {
        var folder = Path.Combine(root, "..", $"gc-crash-files-{Guid.NewGuid():N}");
        Directory.CreateDirectory(folder);
        var files = Enumerable.Range(0, count).Select(i => Path.Combine(folder, $"f{i}")).ToList();
        foreach (var (file, i) in files.Select((f, i) => (f, i)))
        {
            await File.WriteAllTextAsync(file, $"{Guid.NewGuid()} {i} {new string('x', 2000 + i)}");
        }
        var added = (await fixture.Nix.RunNixAsync("nix-store", ["--add", .. files])).Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Directory.Delete(folder, recursive: true);
        return added;
    }

    private static HttpClient Client(LarderServerProcess server, string token)
    {
        var client = new HttpClient { BaseAddress = new Uri(server.BaseUrl + "/") };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    private static async Task AssertServedPathsAreWholeAsync(LarderServerProcess server, string token, string cache, IEnumerable<string> paths)
    {
        using var client = Client(server, token);
        foreach (var path in paths)
        {
            using var narInfo = await client.GetAsync($"{cache}/{Path.GetFileName(path)[..32]}.narinfo");
            if (narInfo.StatusCode == HttpStatusCode.NotFound)
            {
                continue;
            }
            Assert.Equal(HttpStatusCode.OK, narInfo.StatusCode);
            var lines = (await narInfo.Content.ReadAsStringAsync()).Split('\n');
            var url = lines.Single(l => l.StartsWith("URL: ", StringComparison.Ordinal))[5..];
            using var nar = await client.GetAsync($"{cache}/{url}", HttpCompletionOption.ResponseHeadersRead);
            Assert.True(nar.StatusCode == HttpStatusCode.OK, $"{path} is served but its NAR answers {(int)nar.StatusCode}");
            foreach (var reference in lines.Single(l => l.StartsWith("References:", StringComparison.Ordinal))[11..].Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                using var referenced = await client.GetAsync($"{cache}/{reference[..32]}.narinfo");
                Assert.True(referenced.StatusCode == HttpStatusCode.OK, $"{path} is served but its reference {reference} is not");
            }
        }
    }
}
