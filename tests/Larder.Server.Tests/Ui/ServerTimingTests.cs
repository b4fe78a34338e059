using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;

namespace Larder.Server.Tests.Ui;

/// <summary>Dashboard responses carry their own time in <c>Server-Timing</c>; other endpoints do not.</summary>
public sealed partial class ServerTimingTests(LarderApplicationFixture fixture) : IClassFixture<LarderApplicationFixture>
{
    [Theory]
    [InlineData("ui/", HttpStatusCode.OK)]
    [InlineData("ui/sign-in", HttpStatusCode.OK)]
    [InlineData("ui/caches/no-such-cache", HttpStatusCode.NotFound)]
    public async Task A_dashboard_page_states_the_milliseconds_it_took_to_render(string path, HttpStatusCode status)
    {
        using var client = fixture.App.CreateClient();

        using var response = await client.GetAsync(path);

        Assert.Equal(status, response.StatusCode);
        var timing = Assert.Single(response.Headers.GetValues("Server-Timing"));
        var match = PageDuration().Match(timing);
        Assert.True(match.Success, $"Server-Timing: {timing}");
        Assert.True(double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) > 0);
    }

    [Fact]
    public async Task Endpoints_outside_the_dashboard_send_no_server_timing()
    {
        using var client = fixture.App.CreateClient();

        using var response = await client.GetAsync("api/v1/caches");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(response.Headers.Contains("Server-Timing"));
    }

    [GeneratedRegex(@"^page;dur=(\d+\.\d\d)$")]
    private static partial Regex PageDuration();
}
