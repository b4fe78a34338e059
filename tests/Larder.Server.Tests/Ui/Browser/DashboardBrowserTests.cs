using System.Net;
using Larder.Contracts.Tokens;
using Larder.Server.Tests.BinaryCache;
using Microsoft.Playwright;

namespace Larder.Server.Tests.Ui.Browser;

/// <summary>
/// The dashboard in a real browser (Debian's Chromium through Playwright): what a person does with it, by keyboard
/// and mouse, with a screenshot of every step in the test artifacts.
/// </summary>
public sealed class DashboardBrowserTests(LarderApplicationFixture fixture, Chromium chromium)
    : IClassFixture<LarderApplicationFixture>, IClassFixture<Chromium>
{
    private LarderApplication App => fixture.App;

    [Fact]
    public async Task An_admin_signs_in_by_keyboard_copies_the_nix_conf_finds_a_path_follows_its_references_and_signs_out()
    {
        var cache = await App.CreateCacheAsync("browse-" + Guid.NewGuid().ToString("N")[..8], isPublic: true);
        using var admin = App.CreateClient(App.AdminToken);
        var library = await PushedPath.CreateAsync(name: "libgreeting-1.0");
        await library.PushAsync(admin, cache.Name);
        var app = await PushedPath.CreateAsync(name: "hello-2.12", references: [library.Info.StorePath.BaseName]);
        await app.PushAsync(admin, cache.Name);
        var page = await chromium.NewPageAsync(App.BaseAddress);

        await page.GotoAsync("ui/sign-in");
        await page.GetByLabel("Larder token").FocusAsync();
        await page.Keyboard.TypeAsync(App.AdminToken);
        await Chromium.NavigateByAsync(page, () => page.Keyboard.PressAsync("Enter"), "**/ui/");
        await Chromium.ScreenshotAsync(page, "01-caches-signed-in");
        Assert.True(await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).IsVisibleAsync());

        await page.GetByRole(AriaRole.Link, new() { Name = cache.Name, Exact = true }).ClickAsync();
        await Chromium.ScreenshotAsync(page, "02-cache-page");
        Assert.Equal("2", (await page.Locator("dt:text-is('Paths') + dd").InnerTextAsync()).Trim());
        await page.GetByRole(AriaRole.Button, new() { Name = "Copy the nix.conf lines" }).ClickAsync();
        var copied = await page.EvaluateAsync<string>("navigator.clipboard.readText()");
        Assert.Equal(await page.GetByLabel("Add to nix.conf:").InputValueAsync(), copied);
        Assert.Contains($"substituters = https://cache.nixos.org {App.BaseAddress}{cache.Name}", copied, StringComparison.Ordinal);
        Assert.Contains($"trusted-public-keys = cache.nixos.org-1:", copied, StringComparison.Ordinal);

        await page.GetByLabel("Name or hash (the start of it)").FillAsync("hello");
        // A screenshot taken while the form's navigation is under way can wait for a page that is being replaced.
        await Chromium.NavigateByAsync(page, () => page.Keyboard.PressAsync("Enter"), "**/search?**");
        await Chromium.ScreenshotAsync(page, "03-search");
        await page.GetByRole(AriaRole.Link, new() { Name = app.Info.StorePath.ToString() }).ClickAsync();
        await Chromium.ScreenshotAsync(page, "04-path-page");
        Assert.Contains($"StorePath: {app.Info.StorePath}", await page.Locator("pre").InnerTextAsync(), StringComparison.Ordinal);
        var files = page.Locator("ul.files");
        Assert.Contains("link → greeting", await files.InnerTextAsync(), StringComparison.Ordinal);
        await files.Locator("summary", new() { HasText = "bin/" }).ClickAsync();
        Assert.True(await files.GetByText("tool (").IsVisibleAsync(), "the opened bin/ folder shows its file");

        await page.GetByRole(AriaRole.Link, new() { Name = library.Info.StorePath.BaseName }).ClickAsync();
        await Chromium.ScreenshotAsync(page, "05-reference");
        Assert.Contains(library.Info.StorePath.ToString(), await page.Locator("#store-path").InnerTextAsync(), StringComparison.Ordinal);
        Assert.True(await page.GetByRole(AriaRole.Link, new() { Name = app.Info.StorePath.ToString() }).IsVisibleAsync(), "the dependent is listed");

        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await Chromium.ScreenshotAsync(page, "06-signed-out");
        Assert.True(await page.GetByRole(AriaRole.Link, new() { Name = "Sign in" }).IsVisibleAsync());
    }

    [Fact]
    public async Task Without_javascript_a_visitor_signs_in_tabs_to_the_search_finds_a_path_and_signs_out_by_keyboard_alone()
    {
        var cache = await App.CreateCacheAsync("nojs-" + Guid.NewGuid().ToString("N")[..8], isPublic: false);
        using var admin = App.CreateClient(App.AdminToken);
        var path = await PushedPath.CreateAsync(name: "keyboard-1.0");
        await path.PushAsync(admin, cache.Name);
        var page = await chromium.NewPageAsync(App.BaseAddress, javaScript: false);

        await page.GotoAsync("ui/sign-in");
        await TabToAsync(page, "#token");
        await page.Keyboard.TypeAsync(App.AdminToken);
        await Chromium.NavigateByAsync(page, () => page.Keyboard.PressAsync("Enter"), "**/ui/");
        await TabToAsync(page, $"a[href='/ui/caches/{cache.Name}']");
        await Chromium.NavigateByAsync(page, () => page.Keyboard.PressAsync("Enter"), $"**/ui/caches/{cache.Name}");
        await TabToAsync(page, "#q");
        await page.Keyboard.TypeAsync("keyboard");
        await Chromium.NavigateByAsync(page, () => page.Keyboard.PressAsync("Enter"), "**/search?**");
        await Chromium.ScreenshotAsync(page, "07-search-without-javascript");
        await TabToAsync(page, $"a[href='/ui/caches/{cache.Name}/paths/{path.HashPart}']");
        await Chromium.NavigateByAsync(page, () => page.Keyboard.PressAsync("Enter"), $"**/paths/{path.HashPart}");
        Assert.Contains(path.Info.StorePath.ToString(), await page.Locator("#store-path").InnerTextAsync(), StringComparison.Ordinal);
        Assert.Equal(0, await page.Locator("button:text('Copy')").CountAsync());
        await TabToAsync(page, "nav button");
        await Chromium.NavigateByAsync(page, () => page.Keyboard.PressAsync("Enter"), "**/ui/");

        Assert.True(await page.GetByRole(AriaRole.Link, new() { Name = "Sign in" }).IsVisibleAsync());
        Assert.DoesNotContain(cache.Name, await page.ContentAsync(), StringComparison.Ordinal);
    }

    /// <summary>Presses Tab until the element matching <paramref name="selector"/> has the focus (fails if it never does).</summary>
    private static async Task TabToAsync(IPage page, string selector)
    {
        var target = page.Locator(selector).First;
        for (var presses = 0; presses < 200; presses++)
        {
            if (await target.EvaluateAsync<bool>("e => e === document.activeElement"))
            {
                return;
            }
            await page.Keyboard.PressAsync("Tab");
        }
        Assert.Fail($"Tab never reached {selector} on {page.Url}");
    }

    [Fact]
    public async Task An_admin_creates_a_token_sees_its_secret_once_and_revokes_it()
    {
        var cache = await App.CreateCacheAsync("tok-" + Guid.NewGuid().ToString("N")[..8], isPublic: false);
        var page = await chromium.NewPageAsync(App.BaseAddress);
        await SignInAsync(page, App.AdminToken);

        await page.GetByRole(AriaRole.Link, new() { Name = "Tokens" }).ClickAsync();
        await page.GetByLabel("Description").FillAsync("ci pushes");
        await page.GetByLabel("Caches (a name, a prefix ending in *, or *)").FillAsync(cache.Name);
        await page.GetByLabel("write").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Create token" }).ClickAsync();
        await Chromium.ScreenshotAsync(page, "11-token-created");
        var secret = (await page.Locator("#new-token").InnerTextAsync()).Trim();
        using (var withNew = App.CreateClient(secret))
        {
            Assert.Equal(HttpStatusCode.OK, (await withNew.GetAsync("api/v1/whoami")).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await withNew.GetAsync($"{cache.Name}/nix-cache-info")).StatusCode);
        }

        await page.GotoAsync("ui/tokens");
        Assert.DoesNotContain(secret, await page.ContentAsync(), StringComparison.Ordinal);
        var row = page.Locator("tr", new() { HasText = "ci pushes" });
        await row.GetByRole(AriaRole.Button, new() { NameRegex = new System.Text.RegularExpressions.Regex("^Revoke token") }).ClickAsync();
        await Chromium.ScreenshotAsync(page, "12-token-revoked");
        Assert.Contains("revoked", await page.Locator("tr", new() { HasText = "ci pushes" }).InnerTextAsync(), StringComparison.Ordinal);
        using var revoked = App.CreateClient(secret);
        Assert.Equal(HttpStatusCode.Unauthorized, (await revoked.GetAsync("api/v1/whoami")).StatusCode);
    }

    [Fact]
    public async Task A_private_cache_is_invisible_to_an_anonymous_visitor_and_to_a_token_without_grants()
    {
        var hidden = await App.CreateCacheAsync("hidden-" + Guid.NewGuid().ToString("N")[..8], isPublic: false);
        var (ungranted, _) = await App.CreateTokenAsync(new GrantDto("elsewhere-*", ["read"]));
        var (granted, _) = await App.CreateTokenAsync(new GrantDto(hidden.Name, ["read"]));

        var anonymous = await chromium.NewPageAsync(App.BaseAddress);
        await anonymous.GotoAsync("ui/");
        Assert.DoesNotContain(hidden.Name, await anonymous.ContentAsync(), StringComparison.Ordinal);
        var direct = await anonymous.GotoAsync($"ui/caches/{hidden.Name}");
        Assert.Equal(404, direct!.Status);
        await Chromium.ScreenshotAsync(anonymous, "21-private-anonymous");

        var outsider = await chromium.NewPageAsync(App.BaseAddress);
        await SignInAsync(outsider, ungranted);
        Assert.DoesNotContain(hidden.Name, await outsider.ContentAsync(), StringComparison.Ordinal);
        Assert.Equal(404, (await outsider.GotoAsync($"ui/caches/{hidden.Name}/search?q=a"))!.Status);
        await Chromium.ScreenshotAsync(outsider, "22-private-ungranted");

        var insider = await chromium.NewPageAsync(App.BaseAddress);
        await SignInAsync(insider, granted);
        await insider.GetByRole(AriaRole.Link, new() { Name = hidden.Name, Exact = true }).ClickAsync();
        await Chromium.ScreenshotAsync(insider, "23-private-granted");
        Assert.Equal(hidden.Name, (await insider.Locator("h1").InnerTextAsync()).Trim());
    }

    private static async Task SignInAsync(IPage page, string token)
    {
        await page.GotoAsync("ui/sign-in");
        await page.GetByLabel("Larder token").FillAsync(token);
        await Chromium.NavigateByAsync(page, () => page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync(), "**/ui/");
    }
}
