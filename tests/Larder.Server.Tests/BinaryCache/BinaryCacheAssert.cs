using System.Net;

namespace Larder.Server.Tests.BinaryCache;

/// <summary>Checks on binary cache protocol responses (plain-text errors).</summary>
public static class BinaryCacheAssert
{
    public static async Task SuccessAsync(HttpResponseMessage response)
    {
        if (!response.IsSuccessStatusCode)
        {
            Assert.Fail($"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
    }

    /// <summary>Asserts the status and that the plain-text message contains every one of <paramref name="fragments"/>.</summary>
    public static async Task<string> ErrorAsync(HttpResponseMessage response, HttpStatusCode status, params string[] fragments)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"expected {(int)status}, got {(int)response.StatusCode}: {text}");
        foreach (var fragment in fragments)
        {
            Assert.Contains(fragment, text, StringComparison.Ordinal);
        }
        return text;
    }
}
