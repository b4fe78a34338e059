using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using Larder.Server.Tests.BinaryCache;
using Larder.Testing;

namespace Larder.Server.Tests.EndToEnd;

/// <summary>
/// A path whose narinfo PUT was answered is committed: the server killed (SIGKILL) while many pushes are in flight,
/// right after the first answers, serves every answered path after a restart. With grouped commits this fails if a
/// caller were answered before its group's commit.
/// </summary>
[Trait("Category", "EndToEnd")]
public sealed class CommitDurabilityTests
{
    private const int Paths = 40;
    private const int KillAfterAnswers = 5;

    [Fact]
    public async Task Every_path_answered_before_a_SIGKILL_is_served_after_restart()
    {
        using var data = new TempDirectory("larder-durable");
        var server = await LarderServerProcess.StartAsync(data.Path);
        using var client = new HttpClient { BaseAddress = new Uri(server.BaseUrl + "/") };
        var admin = new LarderAdmin(client, server.AdminToken);
        var cache = ServerFixture.NewCacheName("durable");
        await admin.CreateCacheAsync(cache, isPublic: true);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await admin.CreateTokenAsync(cache, "read", "write"));
        var paths = await Task.WhenAll(Enumerable.Range(0, Paths).Select(_ => PushedPath.CreateAsync()));

        var answered = new ConcurrentBag<PushedPath>();
        var enough = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var pushes = paths.Select(async path =>
        {
            using var nar = await path.PutNarAsync(client, cache);
            nar.EnsureSuccessStatusCode();
            using var narInfo = await path.PutNarInfoAsync(client, cache);
            if (narInfo.StatusCode == HttpStatusCode.Created)
            {
                answered.Add(path);
                if (answered.Count >= KillAfterAnswers)
                {
                    enough.TrySetResult();
                }
            }
        }).ToList();
        await enough.Task.WaitAsync(TimeSpan.FromMinutes(3));
        server.Kill();
        foreach (var push in pushes)
        {
            // Those still in flight fail with the connection; what counts is what was answered.
            await push.ContinueWith(_ => { }, TaskScheduler.Default);
        }

        await using var restarted = await LarderServerProcess.StartAsync(data.Path, port: server.Port);
        using var after = new HttpClient { BaseAddress = new Uri(restarted.BaseUrl + "/") };
        Assert.InRange(answered.Count, KillAfterAnswers, Paths);
        foreach (var path in answered)
        {
            using var response = await after.GetAsync($"{cache}/{path.HashPart}.narinfo");
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path.HashPart}.narinfo was answered 201 before the kill but is {(int)response.StatusCode} after the restart");
        }
        await server.DisposeAsync();
    }
}
