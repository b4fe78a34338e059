using System.Net;
using Larder.Cli.Client;
using Larder.Cli.Config;
using Larder.Cli.LocalStore;
using Larder.Contracts.Push;

namespace Larder.Cli.Tests.EndToEnd;

/// <summary>The server's resumable upload: parts, a conflicting offset, an interrupted part, resume, commit.</summary>
public sealed class UploadResumeTests(LarderFixture fixture) : IClassFixture<LarderFixture>
{
    [Fact]
    public async Task Upload_interrupted_mid_part_resumes_from_what_the_server_holds_and_commits()
    {
        var cache = await fixture.CreateCacheAsync("resume");
        var expression = TestExpressions.Write(fixture.Root, $"big-{Guid.NewGuid():N}.nix", TestExpressions.BigFile);
        var built = await fixture.Nix.RunNixAsync("nix-build", expression, "--no-out-link", "--argstr", "salt", Guid.NewGuid().ToString("N"),
            "--arg", "size", (2 << 20).ToString());
        var path = built.Stdout.Trim();
        var info = (await new LocalStoreReader().QueryAsync([path], closure: false, CancellationToken.None)).Single();
        var nar = new MemoryStream();
        await NarSource.WriteAsync(info, "none", nar, null, CancellationToken.None);
        var bytes = nar.ToArray();
        using var client = new LarderClient(new ServerTarget("local", new Uri(fixture.Server.BaseUrl + "/"), fixture.Server.AdminToken));
        var metadata = new PushPathMetadata(info.Path, info.NarHash, info.NarSize, [], StorePaths.BaseNameOf(info.Deriver!), info.Signatures, null);
        var session = await client.CreateUploadAsync(cache, new CreateUploadRequest(metadata, "none"), CancellationToken.None);

        var first = await client.AppendUploadAsync(cache, session.Id, 0, new ByteArrayContent(bytes, 0, 1 << 20), CancellationToken.None);
        Assert.Equal(1 << 20, first.ReceivedBytes);

        var wrongOffset = await Assert.ThrowsAsync<ApiException>(() =>
            client.AppendUploadAsync(cache, session.Id, 0, new ByteArrayContent(bytes, 0, 10), CancellationToken.None));
        Assert.Equal(HttpStatusCode.Conflict, wrongOffset.Status);

        // The connection dies after part of the second part went out.
        await Assert.ThrowsAnyAsync<Exception>(() => client.AppendUploadAsync(
            cache, session.Id, 1 << 20, new FailingContent(bytes.AsMemory(1 << 20, 300_000)), CancellationToken.None));
        // The server may still be closing the aborted part: a 409 means "ask again where to resume", as the CLI does.
        UploadSessionInfo? done = null;
        for (var attempt = 0; done is null && attempt < 20; attempt++)
        {
            var received = (await client.GetUploadAsync(cache, session.Id, CancellationToken.None)).ReceivedBytes;
            Assert.InRange(received, 1 << 20, (1 << 20) + 300_000);
            try
            {
                done = await client.AppendUploadAsync(
                    cache, session.Id, received, new ByteArrayContent(bytes, (int)received, bytes.Length - (int)received), CancellationToken.None);
            }
            catch (ApiException e) when (e.Status == HttpStatusCode.Conflict)
            {
                await Task.Delay(100);
            }
        }
        Assert.NotNull(done);
        Assert.Equal(bytes.Length, done.ReceivedBytes);
        var result = await client.CompleteUploadAsync(cache, session.Id, path, CancellationToken.None);

        Assert.Equal(PushResult.Committed, result.Outcome);
        Assert.Equal(info.NarHash, result.NarHash);
        var narInfo = await client.GetNarInfoAsync(cache, info.HashPart, CancellationToken.None);
        Assert.Contains($"NarHash: {info.NarHash}", narInfo);
    }

    [Fact]
    public async Task Completing_an_upload_whose_bytes_do_not_match_the_NarHash_is_refused()
    {
        var cache = await fixture.CreateCacheAsync("mismatch");
        var path = await fixture.Nix.BuildChainAsync(0, Guid.NewGuid().ToString("N"));
        var info = (await new LocalStoreReader().QueryAsync([path], closure: false, CancellationToken.None)).Single();
        var nar = new MemoryStream();
        await NarSource.WriteAsync(info, "none", nar, null, CancellationToken.None);
        var other = (await new LocalStoreReader().QueryAsync([await fixture.Nix.BuildChainAsync(1, Guid.NewGuid().ToString("N"))], false, CancellationToken.None)).Single();
        using var client = new LarderClient(new ServerTarget("local", new Uri(fixture.Server.BaseUrl + "/"), fixture.Server.AdminToken));
        var claimsOther = new PushPathMetadata(info.Path, other.NarHash, info.NarSize, [], null, [], null);
        var session = await client.CreateUploadAsync(cache, new CreateUploadRequest(claimsOther, "none"), CancellationToken.None);
        await client.AppendUploadAsync(cache, session.Id, 0, new ByteArrayContent(nar.ToArray()), CancellationToken.None);

        var error = await Assert.ThrowsAsync<Infrastructure.CliException>(() => client.CompleteUploadAsync(cache, session.Id, path, CancellationToken.None));

        Assert.Contains("NarHash mismatch", error.Message);
        Assert.Null(await client.GetNarInfoAsync(cache, info.HashPart, CancellationToken.None));
    }

    /// <summary>Sends some bytes, then fails as a dropped connection would.</summary>
    private sealed class FailingContent(ReadOnlyMemory<byte> before) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            await stream.WriteAsync(before);
            await stream.FlushAsync();
            await Task.Delay(200);
            throw new IOException("connection dropped (simulated)");
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
