using System.Net;
using System.Net.Http.Json;
using AngleSharp.Dom;
using Larder.Contracts;
using Larder.Contracts.Tokens;
using Larder.Server.Tests.BinaryCache;
using Larder.Server.Tests.Security;
using static Larder.Server.Tests.Ui.DashboardBrowser;

namespace Larder.Server.Tests.Ui;

/// <summary>
/// Every dashboard page (the GET rows of <see cref="AccessMatrix"/> under <c>/ui/</c>, so a new page is crawled without
/// being listed here, plus the pages forms answer with), parsed: labels, buttons, CSRF fields, no secret; and every
/// page and form naming a private cache, for a signed-in token without a grant on it.
/// </summary>
public sealed class DashboardCrawlTests : IAsyncLifetime
{
    private LarderApplication _app = null!;
    private string _public = "";
    private string _private = "";
    private PushedPath _library = null!;

    public async Task InitializeAsync()
    {
        _app = await LarderApplication.StartAsync(args: ["--Larder:Retention:RecentPushProtection=00:00:00"]);
        var suffix = Guid.NewGuid().ToString("N")[..8];
        (_public, _private) = ($"crawl-{suffix}", $"hidden-{suffix}");
        await _app.CreateCacheAsync(_public, isPublic: true);
        await _app.CreateCacheAsync(_private, isPublic: false);
        using var admin = _app.CreateClient(_app.AdminToken);
        _library = await PushedPath.CreateAsync(name: "libcrawl-1.0");
        var app = await PushedPath.CreateAsync(name: "crawler-2.0", references: [_library.Info.StorePath.BaseName]);
        foreach (var cache in new[] { _public, _private })
        {
            await _library.PushAsync(admin, cache);
            await app.PushAsync(admin, cache);
        }
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task Every_page_labels_its_fields_names_its_buttons_puts_the_csrf_value_in_each_form_and_shows_no_secret()
    {
        using var browser = Open(_app.BaseAddress);
        (await SignInAsync(browser, _app.AdminToken)).Dispose();
        var csrf = await CsrfAsync(browser);
        using (var limit = await PostFormAsync(browser, $"ui/caches/{_public}/configure", ("visibility", "public"), ("maxSize", "1")))
        {
            Assert.Equal(HttpStatusCode.Redirect, limit.StatusCode);
        }
        using var created = await PostFormAsync(browser, "ui/tokens", ("description", "crawled"), ("cache", _public), ("permissions", "read"));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var createdPage = await ParseAsync(created);
        var secret = createdPage.QuerySelector("#new-token")!.TextContent.Trim();
        using var preview = await PostFormAsync(browser, $"ui/caches/{_public}/gc/preview");
        var pages = new List<(string Name, IDocument Page)> { ("token created", createdPage), ("gc preview", await ParseAsync(preview)) };
        foreach (var url in PageUrls(_public))
        {
            var (status, page) = await GetPageAsync(browser, url);
            Assert.True(status == HttpStatusCode.OK, $"{url}: {status}");
            pages.Add((url, page));
        }

        var problems = pages.SelectMany(p => Problems(p.Page, csrf).Select(problem => $"{p.Name}: {problem}")).ToList();
        foreach (var (name, page) in pages)
        {
            var html = page.DocumentElement.OuterHtml;
            if (html.Contains(_app.AdminToken, StringComparison.Ordinal))
            {
                problems.Add($"{name}: shows the signed-in token's secret");
            }
            if (name != "token created" && html.Contains(secret, StringComparison.Ordinal))
            {
                problems.Add($"{name}: shows the created token's secret again");
            }
        }
        Assert.True(problems.Count == 0, string.Join("\n", problems));
        Assert.NotNull(pages.Single(p => p.Name == "gc preview").Page.QuerySelector($"form[action='/ui/caches/{_public}/gc']"));
    }

    [Fact]
    public async Task A_token_without_a_grant_gets_every_page_and_form_of_a_private_cache_answered_as_no_cache_with_nothing_of_it()
    {
        var (outsider, _) = await _app.CreateTokenAsync(new GrantDto("elsewhere-*", ["read", "write", "delete", "admin"]));
        using var browser = Open(_app.BaseAddress);
        (await SignInAsync(browser, outsider)).Dispose();
        var wrong = new List<string>();

        foreach (var row in AccessMatrix.Rows.Where(r => r.Route.StartsWith("/ui/", StringComparison.Ordinal) && r.NamesCache))
        {
            var url = Fill(row.Url, _private);
            using var response = row.Method == "POST" ? await PostFormAsync(browser, url, ("visibility", "public")) : await browser.GetAsync(url);
            var html = await response.Content.ReadAsStringAsync();
            if (response.StatusCode != HttpStatusCode.NotFound)
            {
                wrong.Add($"{row.Method} {url}: {(int)response.StatusCode}, expected 404");
            }
            if (html.Contains(_private, StringComparison.Ordinal) || html.Contains(_library.HashPart, StringComparison.Ordinal) || html.Contains("libcrawl", StringComparison.Ordinal))
            {
                wrong.Add($"{row.Method} {url}: the page names the private cache or one of its paths");
            }
        }
        var list = await browser.GetStringAsync("ui/");

        Assert.True(wrong.Count == 0, string.Join("\n", wrong));
        Assert.DoesNotContain(_private, list, StringComparison.Ordinal);
        using var admin = _app.CreateClient(_app.AdminToken);
        Assert.False((await admin.GetFromJsonAsync($"api/v1/caches/{_private}", LarderJsonContext.Default.CacheDto))!.Public);
    }

    /// <summary>The GET pages of the access matrix under /ui/, naming <paramref name="cache"/> and the library path it holds.</summary>
    private IEnumerable<string> PageUrls(string cache) =>
        AccessMatrix.Rows
            .Where(r => r.Method == "GET" && r.Route.StartsWith("/ui/", StringComparison.Ordinal) && !r.Route.StartsWith("/ui/assets/", StringComparison.Ordinal))
            .Select(r => Fill(r.Url, cache));

    private string Fill(string url, string cache) =>
        url.Replace("{c}", cache, StringComparison.Ordinal).Replace("{h}", _library.HashPart, StringComparison.Ordinal);

    /// <summary>What keeps a page from being used by keyboard and screen reader, or a form from passing the CSRF check.</summary>
    private static IEnumerable<string> Problems(IDocument page, string csrf)
    {
        if (string.IsNullOrEmpty(page.DocumentElement.GetAttribute("lang")))
        {
            yield return "no lang on <html>";
        }
        if (page.QuerySelectorAll("h1").Length != 1)
        {
            yield return "not exactly one <h1>";
        }
        foreach (var field in page.QuerySelectorAll("input:not([type=hidden]), textarea, select"))
        {
            var id = field.Id;
            var labelled = field.Closest("label") is not null
                || !string.IsNullOrEmpty(field.GetAttribute("aria-label"))
                || (!string.IsNullOrEmpty(id) && page.QuerySelector($"label[for='{id}']") is not null);
            if (!labelled)
            {
                yield return $"a field without a label: {field.OuterHtml}";
            }
        }
        foreach (var button in page.QuerySelectorAll("button"))
        {
            if (string.IsNullOrWhiteSpace(button.TextContent) && string.IsNullOrWhiteSpace(button.GetAttribute("aria-label")))
            {
                yield return $"a button without a name: {button.OuterHtml}";
            }
        }
        foreach (var link in page.QuerySelectorAll("a"))
        {
            if (string.IsNullOrEmpty(link.GetAttribute("href")) || string.IsNullOrWhiteSpace(link.TextContent))
            {
                yield return $"a link that a keyboard cannot reach or a reader cannot name: {link.OuterHtml}";
            }
        }
        foreach (var focusable in page.QuerySelectorAll("[tabindex]"))
        {
            if (int.TryParse(focusable.GetAttribute("tabindex"), out var index) && index > 0)
            {
                yield return $"a positive tabindex changes the keyboard order: {focusable.OuterHtml}";
            }
        }
        foreach (var form in page.QuerySelectorAll("form"))
        {
            var method = form.GetAttribute("method") ?? "get";
            if (method.Equals("post", StringComparison.OrdinalIgnoreCase) && form.QuerySelector("input[type=hidden][name=csrf]")?.GetAttribute("value") != csrf)
            {
                yield return $"a form posting to {form.GetAttribute("action")} without this session's CSRF value";
            }
        }
    }
}
