using System.Net;
using System.Net.Http.Headers;
using Larder.Server.Tests.Api.Chunks;
using Larder.Server.Tests.BinaryCache;
using Larder.Testing;

namespace Larder.Server.Tests.EndToEnd;

/// <summary>
/// Uploads cut short, by a dying server or a client that goes away, leave nothing visible and no staging files behind;
/// the chunks they stored before (held by nothing) are deleted by maintenance once an upload's lifetime has passed.
/// </summary>
[Trait("Category", "EndToEnd")]
public sealed class CrashRecoveryTests
{
    private const int NarBytes = 24 << 20;

    /// <summary>
    /// The smallest packs, so that half of the (random, so incompressible and never deduplicated) upload fills and
    /// stores several of them before the interruption.
    /// </summary>
    private static readonly string[] SmallPacks = ["--Larder:Chunking:PackSize=1048576"];

    /// <summary>
    /// The shortest upload lifetime that still lets an ingest claim its intents (they must be due a minute ahead), and a
    /// fast reaper whose lease outlives a server killed in the middle of a pass (it passes every second) by 20 s, not the
    /// default 5 minutes, which would outlast the wait for the deletion.
    /// </summary>
    private static readonly string[] QuickMaintenance =
    [
        "--Larder:Maintenance:StagedUploadTtl=00:01:02", "--Larder:Maintenance:ReleaseGrace=00:00:01", "--Larder:Maintenance:CleanupInterval=00:00:01",
        "--Larder:Maintenance:LeaseDuration=00:00:20",
        .. SmallPacks,
    ];

    [Fact]
    public async Task Server_killed_mid_upload_leaves_nothing_visible_or_staged_after_restart()
    {
        using var data = new TempDirectory("larder-crash");
        var server = await LarderServerProcess.StartAsync(data.Path, QuickMaintenance);
        var (cache, token) = await SetUpAsync(server);
        var nar = await ChunkedPush.RandomNarAsync(NarBytes);
        var name = NarFixtures.Sha256Nix32(nar);
        var staging = Path.Combine(data.Path, "staging");

        using var client = new HttpClient { BaseAddress = new Uri(server.BaseUrl) };
        var body = new StallingContent(nar, nar.Length / 2);
        var upload = SendAsync(client, cache, token, $"nar/{name}.nar", body);
        await body.HalfSent.Task.WaitAsync(TimeSpan.FromMinutes(1));
        await WaitUntilAsync(() => ChunkFiles(data.Path).Any(), "the server never stored a chunk of the upload");
        server.Kill();
        await Assert.ThrowsAnyAsync<Exception>(() => upload);

        await using var restarted = await LarderServerProcess.StartAsync(data.Path, QuickMaintenance, port: server.Port);
        Assert.Empty(Directory.EnumerateFiles(staging));
        using var after = new HttpClient { BaseAddress = new Uri(restarted.BaseUrl) };
        Assert.Equal(HttpStatusCode.NotFound, (await HeadAsync(after, cache, token, $"nar/{name}.nar")).StatusCode);
        await WaitUntilAsync(() => !ChunkFiles(data.Path).Any(), "the chunks of the interrupted upload were not deleted by maintenance");
        await server.DisposeAsync();
    }

    [Fact]
    public async Task Client_gone_mid_upload_leaves_nothing_visible_or_staged()
    {
        using var data = new TempDirectory("larder-crash");
        await using var server = await LarderServerProcess.StartAsync(data.Path, SmallPacks);
        var (cache, token) = await SetUpAsync(server);
        var nar = await ChunkedPush.RandomNarAsync(NarBytes);
        var name = NarFixtures.Sha256Nix32(nar);
        var staging = Path.Combine(data.Path, "staging");

        using (var client = new HttpClient { BaseAddress = new Uri(server.BaseUrl) })
        {
            var body = new StallingContent(nar, nar.Length / 2);
            using var abort = new CancellationTokenSource();
            var upload = SendAsync(client, cache, token, $"nar/{name}.nar", body, abort.Token);
            await body.HalfSent.Task.WaitAsync(TimeSpan.FromMinutes(1));
            await WaitUntilAsync(() => ChunkFiles(data.Path).Any(), "the server never stored a chunk of the upload");
            await abort.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => upload);
        }

        await WaitUntilAsync(() => !Directory.EnumerateFiles(staging).Any(), "a staging file of the abandoned upload was not removed");
        using var after = new HttpClient { BaseAddress = new Uri(server.BaseUrl) };
        Assert.Equal(HttpStatusCode.NotFound, (await HeadAsync(after, cache, token, $"nar/{name}.nar")).StatusCode);
    }

    private static async Task<(string Cache, string Token)> SetUpAsync(LarderServerProcess server)
    {
        using var client = new HttpClient { BaseAddress = new Uri(server.BaseUrl) };
        var admin = new LarderAdmin(client, server.AdminToken);
        var cache = ServerFixture.NewCacheName("crash");
        await admin.CreateCacheAsync(cache, isPublic: false);
        return (cache, await admin.CreateTokenAsync(cache, "read", "write"));
    }

    private static async Task<HttpResponseMessage> SendAsync(
        HttpClient client, string cache, string token, string path, HttpContent body, CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, $"/{cache}/{path}") { Content = body };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await client.SendAsync(request, cancellationToken);
    }

    private static async Task<HttpResponseMessage> HeadAsync(HttpClient client, string cache, string token, string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Head, $"/{cache}/{path}");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await client.SendAsync(request);
    }

    /// <summary>The stored chunk blobs: lone chunks and packs.</summary>
    private static IEnumerable<string> ChunkFiles(string dataDir) =>
        Directory.EnumerateFiles(dataDir, "*", SearchOption.AllDirectories).Where(f => f.EndsWith(".zst", StringComparison.Ordinal) || f.EndsWith(".pack", StringComparison.Ordinal));

    /// <summary>Polls <paramref name="condition"/> (a state change in another process) with a generous deadline.</summary>
    private static async Task WaitUntilAsync(Func<bool> condition, string failure)
    {
        for (int i = 0; i < 1200; i++)
        {
            if (condition())
            {
                return;
            }
            await Task.Delay(100);
        }
        Assert.Fail(failure);
    }

    /// <summary>A request body that sends its first <c>stallAfter</c> bytes, then waits until the request is cancelled.</summary>
    private sealed class StallingContent(byte[] data, int stallAfter) : HttpContent
    {
        public TaskCompletionSource HalfSent { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
            SerializeToStreamAsync(stream, context, CancellationToken.None);

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
        {
            await stream.WriteAsync(data.AsMemory(0, stallAfter), cancellationToken);
            await stream.FlushAsync(cancellationToken);
            HalfSent.TrySetResult();
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }

        protected override bool TryComputeLength(out long length)
        {
            length = data.Length;
            return true;
        }
    }
}
