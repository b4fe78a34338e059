using System.Text;
using Larder.Server.Tests.BinaryCache;
using Larder.Server.Traffic;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Larder.Server.Tests.Ui.Browser;

/// <summary>
/// The admin pages in a real browser (Debian's Chromium through Playwright): create a cache, see its traffic chart,
/// largest paths and pins, configure it (and be told what is wrong with a bad value), preview garbage collection and
/// confirm it. A server of its own, without the recent-push protection, so that just-pushed paths are collectable.
/// </summary>
public sealed class AdminBrowserTests(Chromium chromium) : IClassFixture<Chromium>, IAsyncLifetime
{
    private LarderApplication _app = null!;

    public async Task InitializeAsync() =>
        _app = await LarderApplication.StartAsync(args: ["--Larder:Retention:RecentPushProtection=00:00:00"]);

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task An_admin_creates_a_cache_sees_its_traffic_largest_paths_and_pins_configures_it_and_collects_after_a_preview()
    {
        var name = "admin-" + Guid.NewGuid().ToString("N")[..8];
        var page = await chromium.NewPageAsync(_app.BaseAddress);
        await page.GotoAsync("ui/sign-in");
        await page.GetByLabel("Larder token").FillAsync(_app.AdminToken);
        await Chromium.NavigateByAsync(page, () => page.Keyboard.PressAsync("Enter"), "**/ui/");

        await page.GetByLabel("Name (lower-case letters, digits, '.', '_' or '-')").FillAsync(name);
        await page.GetByLabel("public (anyone may substitute)").CheckAsync();
        await Chromium.NavigateByAsync(page, () => page.GetByRole(AriaRole.Button, new() { Name = "Create cache" }).ClickAsync(), $"**/ui/caches/{name}");
        await Chromium.ScreenshotAsync(page, "31-cache-created");
        Assert.Equal("public", (await page.Locator("dt:text-is('Visibility') + dd").InnerTextAsync()).Trim());
        Assert.Contains("No narinfo or NAR requests", await page.Locator("section[aria-labelledby=traffic]").InnerTextAsync(), StringComparison.Ordinal);

        var paths = await PushAndSubstituteAsync(name, 3);
        await page.ReloadAsync();
        await Chromium.ScreenshotAsync(page, "32-traffic-largest-pins");
        Assert.Contains("Narinfo hit rate: 75%", await page.Locator("#hit-rate").InnerTextAsync(), StringComparison.Ordinal);
        Assert.True(await page.GetByRole(AriaRole.Img, new() { Name = "Narinfo requests per hour (UTC)" }).IsVisibleAsync());
        Assert.True(await page.GetByRole(AriaRole.Img, new() { Name = "NAR bytes served per hour (UTC)" }).IsVisibleAsync());
        var largest = page.Locator("section[aria-labelledby=largest] tbody tr a");
        Assert.Equal([.. paths.OrderByDescending(p => p.Nar.Length).Select(p => p.Info.StorePath.ToString())], await largest.AllInnerTextsAsync());
        Assert.Contains(paths[0].Info.StorePath.ToString(), await page.Locator("#pin-history").InnerTextAsync(), StringComparison.Ordinal);
        Assert.Contains("current", await page.Locator("#pin-history tbody tr").InnerTextAsync(), StringComparison.Ordinal);

        await page.GetByLabel("Evict the least recently used paths above this size").FillAsync("12X");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save settings" }).ClickAsync();
        await Chromium.ScreenshotAsync(page, "33-configure-refused");
        Assert.Contains("unknown unit 'X'", await page.GetByRole(AriaRole.Alert).InnerTextAsync(), StringComparison.Ordinal);
        await page.GetByRole(AriaRole.Link, new() { Name = $"Back to {name}" }).ClickAsync();

        await page.GetByLabel("Evict paths not accessed for this many days").FillAsync("30");
        await page.GetByLabel("Evict the least recently used paths above this size").FillAsync("1");
        await Chromium.NavigateByAsync(page, () => page.GetByRole(AriaRole.Button, new() { Name = "Save settings" }).ClickAsync(), $"**/ui/caches/{name}");
        await Chromium.ScreenshotAsync(page, "34-configured");
        var retention = await page.Locator("section[aria-labelledby=retention]").InnerTextAsync();
        Assert.Contains("not accessed for 30 days", retention, StringComparison.Ordinal);
        Assert.Contains("above 1 bytes", retention, StringComparison.Ordinal);

        await page.GetByRole(AriaRole.Button, new() { Name = "Preview garbage collection" }).ClickAsync();
        await Chromium.ScreenshotAsync(page, "35-gc-preview");
        // The pinned path stays; the two others would go.
        Assert.Contains("would evict 2 paths", await page.GetByRole(AriaRole.Status).InnerTextAsync(), StringComparison.Ordinal);
        Assert.Equal(2, await page.Locator("#evicted tbody tr").CountAsync());
        Assert.Equal("3", (await _app.CreateClient().GetStringAsync($"api/v1/caches/{name}")).Split("\"paths\":")[1].Split(',')[0].Trim());

        await page.GetByRole(AriaRole.Button, new() { Name = "Run garbage collection now" }).ClickAsync();
        await Chromium.ScreenshotAsync(page, "36-gc-done");
        Assert.Contains("evicted 2 paths", await page.GetByRole(AriaRole.Status).InnerTextAsync(), StringComparison.Ordinal);
        await page.GetByRole(AriaRole.Link, new() { Name = $"Back to {name}" }).ClickAsync();
        Assert.Equal("1", (await page.Locator("dt:text-is('Paths') + dd").InnerTextAsync()).Trim());
    }

    /// <summary>Pushes paths of growing size, pins the first, fetches each narinfo and NAR once plus one missing narinfo, and flushes the traffic counts.</summary>
    private async Task<List<PushedPath>> PushAndSubstituteAsync(string cache, int count)
    {
        using var admin = _app.CreateClient(_app.AdminToken);
        using var anonymous = _app.CreateClient();
        var paths = new List<PushedPath>();
        for (var i = 0; i < count; i++)
        {
            var path = await PushedPath.CreateAsync(nar: await NarFixtures.FileAsync(2000 * (i + 1), (byte)Random.Shared.Next(256)), name: $"blob-{i}");
            await path.PushAsync(admin, cache);
            paths.Add(path);
        }
        using (var pin = await admin.PutAsync(
            $"api/v1/caches/{cache}/pins/release", new StringContent($$"""{"storePath": "{{paths[0].Info.StorePath}}"}""", Encoding.UTF8, "application/json")))
        {
            pin.EnsureSuccessStatusCode();
        }
        foreach (var path in paths)
        {
            (await anonymous.GetAsync($"{cache}/{path.HashPart}.narinfo")).EnsureSuccessStatusCode();
            (await anonymous.GetAsync($"{cache}/{path.UploadUrl}")).EnsureSuccessStatusCode();
        }
        Assert.Equal(System.Net.HttpStatusCode.NotFound, (await anonymous.GetAsync($"{cache}/{PushedPath.RandomHashPart()}.narinfo")).StatusCode);
        await _app.Services.GetRequiredService<TrafficRecorder>().FlushAsync(CancellationToken.None);
        return paths;
    }
}
