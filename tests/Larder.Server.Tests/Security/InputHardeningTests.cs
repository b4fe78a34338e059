using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Larder.Server.Tests.BinaryCache;
using Larder.Testing;

namespace Larder.Server.Tests.Security;

/// <summary>
/// Hostile input in every URL parameter (encoded traversal, backslashes, NUL, over-long values), oversized headers and
/// bodies (uploads limited to 16 MiB here): each gets a clean 4xx from the admin (whom no permission stops, so only validation does), and nothing is
/// written outside the data directory.
/// </summary>
public sealed class InputHardeningTests : IAsyncLifetime
{
    private static readonly string Marker = "larder-escape-" + Guid.NewGuid().ToString("N")[..12];
    private readonly TempDirectory _root = new("larder-hardening");
    private LarderApplication _app = null!;
    private HttpClient _admin = null!;
    private string _cache = "";
    private string _hash = "";

    /// <summary>Every URL parameter of the server, as (method, URL with <c>{x}</c> where the hostile value goes).</summary>
    public static TheoryData<string, string> Parameters() => new()
    {
        { "GET", "{x}/nix-cache-info" },
        { "GET", "{c}/{x}" },
        { "PUT", "{c}/{x}" },
        { "GET", "{c}/nar/{x}" },
        { "PUT", "{c}/nar/{x}" },
        { "GET", "{c}/log/{x}" },
        { "PUT", "{c}/log/{x}" },
        { "GET", "api/v1/caches/{x}" },
        { "GET", "api/v1/caches/{c}/paths/{x}" },
        { "DELETE", "api/v1/caches/{c}/paths/{x}" },
        { "GET", "api/v1/caches/{c}/uploads/{x}" },
        { "PATCH", "api/v1/caches/{c}/uploads/{x}" },
        { "POST", "api/v1/caches/{c}/uploads/{x}/complete" },
        { "PUT", "api/v1/caches/{c}/chunks/{x}" },
        { "DELETE", "api/v1/tokens/{x}" },
        { "DELETE", "api/v1/oidc/policies/{x}" },
        { "GET", "ui/caches/{x}" },
    };

    /// <summary>Hostile values, already percent-encoded as they appear in the URL.</summary>
    public static readonly IReadOnlyList<string> HostileValues =
    [
        $"..%2f..%2f..%2f{Marker}",
        $"%2e%2e%2f%2e%2e%2f{Marker}",
        $"..%5c..%5c{Marker}",
        $"%2fetc%2f{Marker}",
        $"{Marker}%00.narinfo",
        $"{Marker}%00",
        new string('a', 4000),
        "%c0%ae%c0%ae%2f" + Marker,
    ];

    public async Task InitializeAsync()
    {
        _app = await LarderApplication.StartAsync(Path.Combine(_root.Path, "data"), ["--Larder:FailedAuthentication:Burst=1000000", "--Larder:MaxUploadBytes=16777216"]);
        _admin = _app.CreateClient(_app.AdminToken);
        _cache = (await _app.CreateCacheAsync("hard-" + Guid.NewGuid().ToString("N")[..12])).Name;
        var path = await PushedPath.CreateAsync();
        await path.PushAsync(_admin, _cache);
        _hash = path.HashPart;
    }

    public async Task DisposeAsync()
    {
        _admin.Dispose();
        await _app.DisposeAsync();
        _root.Dispose();
    }

    [Theory]
    [MemberData(nameof(Parameters))]
    public async Task A_hostile_url_parameter_gets_a_clean_4xx_and_writes_nothing_outside_the_data_directory(string method, string url)
    {
        var wrong = new List<string>();
        foreach (var value in HostileValues)
        {
            var target = url.Replace("{c}", _cache, StringComparison.Ordinal).Replace("{x}", value, StringComparison.Ordinal);
            using var request = new HttpRequestMessage(new HttpMethod(method), target);
            if (method is "PUT" or "PATCH" or "POST")
            {
                request.Content = new ByteArrayContent(Encoding.UTF8.GetBytes($"StorePath: /nix/store/{_hash}-x\n"));
                request.Headers.Add("Upload-Offset", "0");
            }
            using var response = await _admin.SendAsync(request);
            if ((int)response.StatusCode is < 400 or >= 500)
            {
                wrong.Add($"{target[..Math.Min(target.Length, 120)]}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            }
        }

        Assert.True(wrong.Count == 0, string.Join("\n", wrong));
        AssertNothingEscaped();
    }

    [Fact]
    public async Task An_oversized_header_is_refused_with_431()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{_cache}/nix-cache-info");
        request.Headers.Add("X-Padding", new string('x', 64 * 1024));

        using var response = await _admin.SendAsync(request);

        Assert.Equal(HttpStatusCode.RequestHeaderFieldsTooLarge, response.StatusCode);
    }

    [Fact]
    public async Task An_over_long_request_line_is_refused_with_414()
    {
        using var response = await _admin.GetAsync($"{_cache}/{new string('a', 16 * 1024)}.narinfo");

        Assert.Equal(HttpStatusCode.RequestUriTooLong, response.StatusCode);
    }

    [Theory]
    [InlineData("PUT", "{c}/{h}.narinfo", "text/x-nix-narinfo")]
    [InlineData("PUT", "{c}/log/00000000000000000000000000000000-x.drv", "text/plain")]
    [InlineData("POST", "api/v1/caches/{c}/missing", "application/json")]
    [InlineData("POST", "api/v1/caches/{c}/uploads", "application/json")]
    [InlineData("POST", "api/v1/tokens", "application/json")]
    [InlineData("PATCH", "api/v1/caches/{c}", "application/json")]
    public async Task An_oversized_body_is_refused_with_413_and_nothing_changes(string method, string url, string contentType)
    {
        var target = url.Replace("{c}", _cache, StringComparison.Ordinal).Replace("{h}", _hash, StringComparison.Ordinal);
        using var request = new HttpRequestMessage(new HttpMethod(method), target) { Content = new ByteArrayContent(new byte[64 << 20]) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        request.Headers.ExpectContinue = true;

        using var response = await _admin.SendAsync(request);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        using var narInfo = await _admin.GetAsync($"{_cache}/{_hash}.narinfo");
        Assert.Equal(HttpStatusCode.OK, narInfo.StatusCode);
        AssertNothingEscaped();
    }

    /// <summary>The data directory is the only thing under the test's root, and no file anywhere near carries the marker.</summary>
    private void AssertNothingEscaped()
    {
        Assert.Equal([Path.Combine(_root.Path, "data")], Directory.EnumerateFileSystemEntries(_root.Path));
        foreach (var near in new[] { _root.Path, Path.GetTempPath(), Environment.CurrentDirectory, "/" })
        {
            Assert.Empty(Directory.EnumerateFileSystemEntries(near, "*" + Marker + "*", SearchOption.TopDirectoryOnly));
        }
        Assert.Empty(Directory.EnumerateFileSystemEntries(_root.Path, "*" + Marker + "*", SearchOption.AllDirectories));
    }
}
