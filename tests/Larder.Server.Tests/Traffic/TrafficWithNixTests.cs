using System.Globalization;
using System.Net;
using Larder.Contracts.Tokens;
using Larder.Server.Tests.Ui;
using Larder.Server.Traffic;
using Larder.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Larder.Server.Tests.Traffic;

/// <summary>The hourly traffic a cache's page charts, counted while the real Nix pushes a closure and a fresh store substitutes it.</summary>
[Trait("Category", "EndToEnd")]
public sealed class TrafficWithNixTests
{
    private const int ChainLength = 2;

    [Fact]
    public async Task Substitution_by_nix_is_counted_per_hour_as_hits_nar_downloads_and_their_bytes_and_charted()
    {
        var nix = await NixPeer.GetAsync();
        await using var app = await LarderApplication.StartAsync();
        var cache = await app.CreateCacheAsync("charted", isPublic: true);
        var (writer, _) = await app.CreateTokenAsync(new GrantDto("charted", ["read", "write"]));
        var cacheUrl = $"{app.BaseAddress}charted";
        var output = await nix.BuildChainAsync(ChainLength, Guid.NewGuid().ToString());
        var recorder = app.Services.GetRequiredService<TrafficRecorder>();
        var cacheId = (await app.Metadata.GetCacheAsync("charted", CancellationToken.None))!.Id;
        (await NixPeer.TryRunNixAsync(nix.EnvironmentWith($"netrc-file = {nix.WriteNetrc("127.0.0.1", writer)}"),
            "nix", "copy", "--to", $"{cacheUrl}?compression=zstd", output)).EnsureSuccess();
        await recorder.FlushAsync(CancellationToken.None);
        var pushed = await TrafficTotals.LastDayAsync(app, cacheId);

        using var store = new TempDirectory("larder-store");
        (await NixPeer.TryRunNixAsync(nix.EnvironmentWith($"trusted-public-keys = {cache.PublicKey}"),
            "nix", "copy", "--from", cacheUrl, "--to", store.Path, output)).EnsureSuccess();
        using var anonymous = app.CreateClient();
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync($"charted/{new string('0', 32)}.narinfo")).StatusCode);
        await recorder.FlushAsync(CancellationToken.None);
        var substituted = await TrafficTotals.LastDayAsync(app, cacheId);

        var closure = ChainLength + 1;
        var fileBytes = 0L;
        foreach (var path in (await nix.RunNixAsync("nix-store", "--query", "--requisites", output)).Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var narInfo = await anonymous.GetStringAsync($"charted/{Path.GetFileName(path)[..32]}.narinfo");
            fileBytes += long.Parse(narInfo.Split('\n').Single(l => l.StartsWith("FileSize: ", StringComparison.Ordinal))["FileSize: ".Length..], CultureInfo.InvariantCulture);
        }
        // Pushing asks for each path's narinfo first (misses); substituting asks again (hits, perhaps more than once).
        Assert.True(pushed.NarInfoMisses >= closure, $"{pushed.NarInfoMisses} misses while pushing {closure} paths");
        Assert.Equal(0, pushed.NarRequests);
        Assert.InRange(substituted.NarInfoHits - pushed.NarInfoHits, closure, long.MaxValue);
        Assert.Equal(1, substituted.NarInfoMisses - pushed.NarInfoMisses);
        Assert.Equal(closure, substituted.NarRequests);
        Assert.Equal(fileBytes, substituted.NarBytes);

        await recorder.FlushAsync(CancellationToken.None);
        using var browser = DashboardBrowser.Open(app.BaseAddress);
        var (status, page) = await DashboardBrowser.GetPageAsync(browser, "ui/caches/charted");
        var total = await TrafficTotals.LastDayAsync(app, cacheId);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains($"{100.0 * total.NarInfoHits / (total.NarInfoHits + total.NarInfoMisses):0.#}%", page.QuerySelector("#hit-rate")!.TextContent, StringComparison.Ordinal);
        var chart = page.QuerySelector("svg#narinfo-chart")!;
        Assert.Equal("img", chart.GetAttribute("role"));
        Assert.NotEmpty(chart.QuerySelectorAll("rect[fill]").Skip(1));
        Assert.NotNull(page.QuerySelector("svg#bytes-chart"));
        var today = page.QuerySelector("#traffic-days tbody tr")!.QuerySelectorAll("td").Select(td => td.TextContent).ToList();
        Assert.Equal(total.NarInfoHits.ToString("N0", CultureInfo.InvariantCulture), today[0]);
        Assert.Equal(closure.ToString(CultureInfo.InvariantCulture), today[3]);
    }
}
