using System.Net;
using System.Text.Json;
using Larder.Server.Storage;
using Larder.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Larder.Server.Tests.Health;

public sealed class HealthEndpointsTests(LarderApplicationFixture fixture) : IClassFixture<LarderApplicationFixture>
{
    [Theory]
    [InlineData("health/live")]
    [InlineData("health/ready")]
    public async Task Probe_answers_ok_anonymously_when_the_stores_answer(string path)
    {
        using var client = fixture.App.CreateClient();
        using var response = await client.GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("ok", body.RootElement.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Ready_names_each_check()
    {
        using var client = fixture.App.CreateClient();
        using var body = JsonDocument.Parse(await client.GetStringAsync("health/ready"));

        Assert.Equal("ok", body.RootElement.GetProperty("database").GetString());
        Assert.Equal("ok", body.RootElement.GetProperty("storage").GetString());
    }

    [Fact]
    public async Task Ready_answers_503_naming_a_blob_store_that_does_not_answer_in_time()
    {
        using var data = new TempDirectory("larder-health");
        var builder = LarderServer.CreateBuilder(["--listen", "127.0.0.1:0", "--data", data.Path]);
        builder.Services.AddSingleton<IBlobStore, UnansweringBlobStore>();
        await using var app = LarderServer.Build(builder);
        await LarderServer.InitializeAsync(app, CancellationToken.None);
        await app.StartAsync();
        using var client = new HttpClient { BaseAddress = new Uri(LarderServer.GetListenUrls(app).Single()) };

        using var response = await client.GetAsync("/health/ready");
        using var live = await client.GetAsync("/health/live");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("unavailable", body.RootElement.GetProperty("status").GetString());
        Assert.Equal("ok", body.RootElement.GetProperty("database").GetString());
        Assert.StartsWith("no answer within", body.RootElement.GetProperty("storage").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        await app.StopAsync();
    }

    /// <summary>A blob store that is reachable at start-up and then never answers.</summary>
    private sealed class UnansweringBlobStore : IBlobStore
    {
        public Task PrepareAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public async Task<long?> GetSizeAsync(string key, CancellationToken cancellationToken)
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
            return null;
        }

        public Task PutFileAsync(string key, string localPath, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task PutBytesAsync(string key, ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<Stream> OpenReadAsync(string key, long offset, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<Stream> OpenRangeAsync(string key, long offset, long length, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task DeleteAsync(string key, CancellationToken cancellationToken) => throw new NotSupportedException();

        public IAsyncEnumerable<BlobInfo> ListAsync(string prefix, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Uri? GetDirectDownloadUrl(string key, TimeSpan validFor) => null;

        public Task<int> RemoveInterruptedWritesAsync(TimeSpan olderThan, CancellationToken cancellationToken) => Task.FromResult(0);
    }
}
