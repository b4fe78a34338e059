using System.Net;
using Larder.Server.Errors;
using Larder.Server.Metadata;
using Larder.Server.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Larder.Server.Tests.Api;

/// <summary>The exception-to-response mapping, through test endpoints on the real pipeline.</summary>
public sealed class ErrorMappingTests : IAsyncLifetime
{
    private LarderApplication? _app;

    private LarderApplication App => _app!;

    public async Task InitializeAsync() => _app = await LarderApplication.StartAsync(
        args: ["--Larder:MaxUploadBytes=1000"],
        mapExtra: app =>
        {
            foreach (var prefix in new[] { "/api/test", "/test" })
            {
                app.MapGet(prefix + "/larder/{status:int}", (int status) => Throw(new LarderException((ErrorKind)status, $"kind {status}")));
                app.MapGet(prefix + "/metadata", () => Throw(new MetadataUnavailableException("database is locked")));
                app.MapGet(prefix + "/blob", () => Throw(new BlobNotFoundException("chunks/x.zst")));
                app.MapPost(prefix + "/body", async (HttpRequest request) =>
                {
                    await request.Body.CopyToAsync(Stream.Null);
                    return Results.Ok();
                });
            }
        });

    public async Task DisposeAsync() => await App.DisposeAsync();

    private static IResult Throw(Exception e) => throw e;

    [Theory]
    [InlineData(400)]
    [InlineData(401)]
    [InlineData(403)]
    [InlineData(404)]
    [InlineData(409)]
    [InlineData(413)]
    [InlineData(415)]
    [InlineData(503)]
    public async Task LarderException_keeps_its_status_as_JSON_under_api_and_text_elsewhere(int status)
    {
        using var client = App.CreateClient();

        var message = await ApiAssert.ErrorAsync(await client.GetAsync($"api/test/larder/{status}"), (HttpStatusCode)status);
        using var plain = await client.GetAsync($"test/larder/{status}");

        Assert.Equal($"kind {status}", message);
        Assert.Equal(status, (int)plain.StatusCode);
        Assert.Equal("text/plain", plain.Content.Headers.ContentType?.MediaType);
        Assert.Equal($"kind {status}\n", await plain.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task The_JSON_code_names_the_kind()
    {
        using var client = App.CreateClient();
        var text = await (await client.GetAsync("api/test/larder/409")).Content.ReadAsStringAsync();
        Assert.Equal("""{"error":"kind 409","code":"conflict"}""", text);
    }

    [Fact]
    public async Task Unavailable_metadata_is_503()
    {
        using var client = App.CreateClient();
        await ApiAssert.ErrorAsync(await client.GetAsync("api/test/metadata"), HttpStatusCode.ServiceUnavailable, "database is locked");
        using var plain = await client.GetAsync("test/metadata");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, plain.StatusCode);
    }

    [Fact]
    public async Task A_missing_blob_is_500_blob_missing_naming_the_key()
    {
        using var client = App.CreateClient();
        using var plain = await client.GetAsync("test/blob");
        Assert.Equal(HttpStatusCode.InternalServerError, plain.StatusCode);
        Assert.StartsWith("blob missing: 'chunks/", await plain.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("api/test/larder/401")]
    [InlineData("test/larder/404")]
    [InlineData("test/blob")]
    public async Task No_cache_may_keep_an_error(string path)
    {
        using var client = App.CreateClient();
        using var response = await client.GetAsync(path);
        Assert.True((int)response.StatusCode >= 400);
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
    }

    [Theory]
    [InlineData("api/test/body")]
    [InlineData("test/body")]
    public async Task A_body_over_MaxUploadBytes_is_413_with_a_message(string path)
    {
        using var client = App.CreateClient();
        using var response = await client.PostAsync(path, new ByteArrayContent(new byte[5000]));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Contains("too large", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_body_within_MaxUploadBytes_is_accepted()
    {
        using var client = App.CreateClient();
        using var response = await client.PostAsync("test/body", new ByteArrayContent(new byte[900]));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
