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
                app.MapGet(prefix + "/larder/{kind}", (ErrorKind kind) => Throw(new LarderException(kind, $"kind {kind}")));
                app.MapGet(prefix + "/metadata", () => Throw(new MetadataUnavailableException("Host=db.internal;Port=5432 is locked")));
                app.MapGet(prefix + "/blob", () => Throw(new BlobNotFoundException("chunks/x.zst")));
                app.MapGet(prefix + "/unavailable", () => Throw(new LarderException(ErrorKind.Unavailable, "the object store at http://s3.internal:7480 is down")));
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
    [InlineData(ErrorKind.BadRequest, 400)]
    [InlineData(ErrorKind.Unauthorized, 401)]
    [InlineData(ErrorKind.Forbidden, 403)]
    [InlineData(ErrorKind.NotFound, 404)]
    [InlineData(ErrorKind.Conflict, 409)]
    [InlineData(ErrorKind.PayloadTooLarge, 413)]
    [InlineData(ErrorKind.UnsupportedMediaType, 415)]
    public async Task A_client_error_gets_its_status_and_message_as_JSON_under_api_and_text_elsewhere(ErrorKind kind, int status)
    {
        using var client = App.CreateClient();

        var message = await ApiAssert.ErrorAsync(await client.GetAsync($"api/test/larder/{kind}"), (HttpStatusCode)status);
        using var plain = await client.GetAsync($"test/larder/{kind}");

        Assert.Equal($"kind {kind}", message);
        Assert.Equal(status, (int)plain.StatusCode);
        Assert.Equal("text/plain", plain.Content.Headers.ContentType?.MediaType);
        Assert.Equal($"kind {kind}\n", await plain.Content.ReadAsStringAsync());
    }

    public static TheoryData<LarderException, int> DomainErrors() => new()
    {
        { new InvalidRequestException("x"), 400 },
        { new UnauthorizedException("x"), 401 },
        { new ForbiddenException("x"), 403 },
        { new NotFoundException("x"), 404 },
        { new ConflictException("x"), 409 },
        { new PayloadTooLargeException("x"), 413 },
        { new UnsupportedMediaTypeException("x"), 415 },
        { new UnavailableException("the object store", new IOException("x")), 503 },
        { new StoredDataMissingException("the NAR's data", new IOException("x")), 500 },
    };

    [Theory]
    [MemberData(nameof(DomainErrors))]
    public void Each_domain_error_maps_to_its_status(LarderException error, int status) =>
        Assert.Equal(status, ErrorMapping.StatusFor(error.Kind));

    [Fact]
    public async Task The_JSON_code_names_the_kind()
    {
        using var client = App.CreateClient();
        var text = await (await client.GetAsync("api/test/larder/Conflict")).Content.ReadAsStringAsync();
        Assert.Equal("""{"error":"kind Conflict","code":"conflict"}""", text);
    }

    [Theory]
    [InlineData("metadata", HttpStatusCode.ServiceUnavailable, "the metadata database is unavailable; retry later", "db.internal")]
    [InlineData("unavailable", HttpStatusCode.ServiceUnavailable, "retry later", "s3.internal")]
    [InlineData("blob", HttpStatusCode.InternalServerError, "storage error: stored data is missing; the operator should run `larder admin verify`", "chunks/")]
    public async Task A_server_fault_tells_the_client_what_to_do_and_no_internals(string fault, HttpStatusCode status, string message, string secret)
    {
        using var client = App.CreateClient();

        var apiMessage = await ApiAssert.ErrorAsync(await client.GetAsync($"api/test/{fault}"), status);
        using var plain = await client.GetAsync($"test/{fault}");

        Assert.Contains(message, apiMessage, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, apiMessage, StringComparison.Ordinal);
        Assert.Equal(status, plain.StatusCode);
        var text = await plain.Content.ReadAsStringAsync();
        Assert.Contains(message, text, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("api/test/larder/Unauthorized")]
    [InlineData("test/larder/NotFound")]
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
