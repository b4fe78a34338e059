using System.Net;
using System.Text.Json;

namespace Larder.Server.Tests.Api;

/// <summary>What a visitor or a script finds at the server's root, at <c>/api/v1</c> and in the OpenAPI document.</summary>
public sealed class FrontDoorTests(LarderApplicationFixture fixture) : IClassFixture<LarderApplicationFixture>
{
    private LarderApplication App => fixture.App;

    [Fact]
    public async Task The_root_is_a_short_plain_page_pointing_at_the_API_and_the_dashboard()
    {
        using var client = App.CreateClient();

        using var response = await client.GetAsync("");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        var page = await response.Content.ReadAsStringAsync();
        var baseUrl = App.BaseAddress.ToString().TrimEnd('/');
        Assert.Contains($"{baseUrl}/api/v1", page, StringComparison.Ordinal);
        Assert.Contains($"{baseUrl}/api/v1/openapi.json", page, StringComparison.Ordinal);
        Assert.Contains("dashboard", page, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("api/v1")]
    [InlineData("api/v2")]
    [InlineData("api/anything")]
    public async Task An_unknown_API_path_is_an_API_404_not_a_cache_named_api(string path)
    {
        foreach (var token in new[] { null, App.AdminToken })
        {
            using var client = App.CreateClient(token);

            var message = await ApiAssert.ErrorAsync(await client.GetAsync(path), HttpStatusCode.NotFound, $"no API endpoint GET /{path}");

            Assert.Contains("/api/v1/openapi.json", message, StringComparison.Ordinal);
            Assert.DoesNotContain("cache", message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task The_OpenAPI_document_declares_the_bearer_scheme_and_where_a_token_is_needed()
    {
        using var client = App.CreateClient();

        using var document = JsonDocument.Parse(await client.GetStringAsync("api/v1/openapi.json"));

        var root = document.RootElement;
        var scheme = root.GetProperty("components").GetProperty("securitySchemes").GetProperty("bearer");
        Assert.Equal("http", scheme.GetProperty("type").GetString());
        Assert.Equal("bearer", scheme.GetProperty("scheme").GetString());
        var paths = root.GetProperty("paths");
        Assert.Equal(["bearer"], SchemesOf(paths.GetProperty("/api/v1/tokens").GetProperty("post")));
        Assert.Equal(["bearer", ""], SchemesOf(paths.GetProperty("/api/v1/caches/{cache}").GetProperty("get")));
        Assert.False(paths.GetProperty("/api/v1/caches").GetProperty("get").TryGetProperty("security", out _));
    }

    /// <summary>The scheme names of an operation's alternative security requirements ("" for the empty one: no token).</summary>
    private static List<string> SchemesOf(JsonElement operation) =>
        [.. operation.GetProperty("security").EnumerateArray().Select(r => r.EnumerateObject().Select(p => p.Name).SingleOrDefault() ?? "")];
}
