using System.Net;
using System.Net.Http.Json;
using Larder.Contracts;

namespace Larder.Server.Tests.Api;

/// <summary>Checks on <c>/api</c> error responses.</summary>
public static class ApiAssert
{
    /// <summary>Asserts the status and the JSON error body; returns the message.</summary>
    public static async Task<string> ErrorAsync(HttpResponseMessage response, HttpStatusCode status, string? messageContains = null)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"expected {(int)status}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var error = System.Text.Json.JsonSerializer.Deserialize(text, LarderJsonContext.Default.ErrorDto);
        Assert.NotNull(error);
        Assert.False(string.IsNullOrWhiteSpace(error.Error));
        Assert.False(string.IsNullOrWhiteSpace(error.Code));
        if (messageContains is not null)
        {
            Assert.Contains(messageContains, error.Error, StringComparison.Ordinal);
        }
        if (status == HttpStatusCode.Unauthorized)
        {
            Assert.Equal("Basic realm=\"larder\"", response.Headers.WwwAuthenticate.ToString());
        }
        return error.Error;
    }

    public static async Task<T> OkAsync<T>(HttpResponseMessage response, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type, HttpStatusCode status = HttpStatusCode.OK)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"expected {(int)status}, got {(int)response.StatusCode}: {text}");
        return System.Text.Json.JsonSerializer.Deserialize(text, type)!;
    }
}
