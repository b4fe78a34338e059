using Microsoft.Playwright;

namespace Larder.Server.Tests.Ui.Browser;

/// <summary>
/// Debian's Chromium (<c>/usr/bin/chromium</c>, installed by <c>eng/install-deps.sh</c>; never a downloaded browser)
/// driven headless by Playwright, shared by the browser tests of a class. Screenshots go to
/// <c>$LARDER_TEST_ARTIFACTS/screenshots</c> (<c>eng/test.sh</c> sets it to <c>artifacts/test-screenshots</c>).
/// </summary>
public sealed class Chromium : IAsyncLifetime
{
    private const string ExecutablePath = "/usr/bin/chromium";

    private IPlaywright? _playwright;
    private IBrowser? _browser;

    public IBrowser Browser => _browser ?? throw new InvalidOperationException("Chromium has not started");

    public static string ScreenshotDirectory { get; } = Path.Combine(
        Environment.GetEnvironmentVariable("LARDER_TEST_ARTIFACTS") is { Length: > 0 } artifacts ? artifacts : Path.Combine(AppContext.BaseDirectory, "artifacts"),
        "screenshots");

    public async Task InitializeAsync()
    {
        if (!File.Exists(ExecutablePath))
        {
            throw new InvalidOperationException($"{ExecutablePath} is missing: run eng/install-deps.sh (Debian package chromium)");
        }
        _playwright = await Playwright.CreateAsync();
        // Without the networking flags Chromium keeps trying to reach Google's hosts, which this machine refuses.
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ExecutablePath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });
    }

    /// <summary>A fresh browser context (its own cookies) that may use the clipboard, optionally with JavaScript off.</summary>
    public async Task<IPage> NewPageAsync(Uri baseAddress, bool javaScript = true)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = baseAddress.ToString(), JavaScriptEnabled = javaScript });
        await context.GrantPermissionsAsync(["clipboard-read", "clipboard-write"], new BrowserContextGrantPermissionsOptions { Origin = baseAddress.GetLeftPart(UriPartial.Authority) });
        return await context.NewPageAsync();
    }

    /// <summary>
    /// Does <paramref name="action"/> and waits until the navigation it starts has loaded <paramref name="url"/> (a
    /// glob). The waiter is set before the action: a sign-in's POST, redirect and page can all be done before a
    /// <c>WaitForURLAsync</c> called after the action starts waiting, and that call then waited out its timeout now and
    /// then although the page had loaded.
    /// </summary>
    public static async Task NavigateByAsync(IPage page, Func<Task> action, string url)
    {
        var arrived = page.WaitForURLAsync(url);
        await action();
        await arrived;
    }

    public static async Task ScreenshotAsync(IPage page, string name)
    {
        Directory.CreateDirectory(ScreenshotDirectory);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotDirectory, name + ".png"), FullPage = true });
    }

    public async Task DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }
        _playwright?.Dispose();
    }
}
