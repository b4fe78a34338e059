using System.Net;
using System.Net.Http.Json;
using AngleSharp.Dom;
using Larder.Contracts;
using Larder.Contracts.Tokens;
using Larder.Server.Tests.BinaryCache;
using static Larder.Server.Tests.Ui.DashboardBrowser;

namespace Larder.Server.Tests.Ui;

/// <summary>
/// The cache page's traffic, largest paths and pins, and the admin pages (create, configure, garbage collection) through
/// a cookie-keeping client, the HTML parsed: who sees which section and form, what each form does, and each refusal.
/// </summary>
public sealed class DashboardAdminTests : IAsyncLifetime
{
    private LarderApplication _app = null!;

    public async Task InitializeAsync() =>
        _app = await LarderApplication.StartAsync(args: ["--Larder:Retention:RecentPushProtection=00:00:00"]);

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task A_token_without_grants_sees_no_private_cache_section_form_or_path_and_its_posts_are_answered_as_for_no_cache()
    {
        var secret = await CacheWithPathsAsync("priv", isPublic: false, 2);
        var (ungranted, _) = await _app.CreateTokenAsync(new GrantDto("other-*", ["read"]));
        using var browser = await SignedInAsync(ungranted);

        var (listStatus, list) = await GetPageAsync(browser, "ui/");
        var (pageStatus, page) = await GetPageAsync(browser, $"ui/caches/{secret.Name}");
        using var configure = await PostFormAsync(browser, $"ui/caches/{secret.Name}/configure", ("visibility", "public"));
        using var preview = await PostFormAsync(browser, $"ui/caches/{secret.Name}/gc/preview");
        using var create = await PostFormAsync(browser, "ui/caches", ("name", $"mine-{Guid.NewGuid():N}"[..12]), ("visibility", "private"));

        Assert.Equal(HttpStatusCode.OK, listStatus);
        Assert.Null(list.QuerySelector("form[action='/ui/caches']"));
        Assert.Equal(HttpStatusCode.NotFound, pageStatus);
        Assert.Null(page.QuerySelector("#traffic, #largest, #pins, #admin"));
        foreach (var refused in new[] { configure, preview })
        {
            Assert.Equal(HttpStatusCode.NotFound, refused.StatusCode);
            var html = await refused.Content.ReadAsStringAsync();
            Assert.DoesNotContain(secret.Name, html, StringComparison.Ordinal);
            Assert.All(secret.Paths, p => Assert.DoesNotContain(p.HashPart, html, StringComparison.Ordinal));
        }
        Assert.Equal(HttpStatusCode.Forbidden, create.StatusCode);
        Assert.Contains("lacks admin permission", (await ParseAsync(create)).QuerySelector("[role=alert]")!.TextContent, StringComparison.Ordinal);
        Assert.False((await ApiGetCacheAsync(secret.Name)).Public);
    }

    [Fact]
    public async Task A_reader_sees_traffic_largest_paths_and_pins_but_no_admin_form_and_may_not_configure()
    {
        var cache = await CacheWithPathsAsync("read", isPublic: false, 3);
        var (reader, _) = await _app.CreateTokenAsync(new GrantDto(cache.Name, ["read"]));
        using var browser = await SignedInAsync(reader);

        var (status, page) = await GetPageAsync(browser, $"ui/caches/{cache.Name}");
        using var configure = await PostFormAsync(browser, $"ui/caches/{cache.Name}/configure", ("visibility", "public"));
        using var run = await PostFormAsync(browser, $"ui/caches/{cache.Name}/gc");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.NotNull(page.QuerySelector("#traffic"));
        var largest = page.QuerySelector("section[aria-labelledby=largest]")!.QuerySelectorAll("tbody tr a").Select(a => a.GetAttribute("href")).ToList();
        Assert.Equal(cache.Paths.OrderByDescending(p => p.Nar.Length).ThenBy(p => p.HashPart, StringComparer.Ordinal).Select(p => $"/ui/caches/{cache.Name}/paths/{p.HashPart}"), largest);
        Assert.Null(page.QuerySelector("#admin"));
        Assert.Null(page.QuerySelector($"form[action='/ui/caches/{cache.Name}/configure']"));
        Assert.Equal(HttpStatusCode.Forbidden, configure.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, run.StatusCode);
        Assert.Contains("Only a token with admin", (await ParseAsync(configure)).QuerySelector("[role=alert]")!.TextContent, StringComparison.Ordinal);
        Assert.False((await ApiGetCacheAsync(cache.Name)).Public);
        Assert.Equal(3, (await ApiGetCacheAsync(cache.Name)).Stats.Paths);
    }

    [Fact]
    public async Task An_admin_creates_a_cache_from_the_list_and_configures_it_on_its_page()
    {
        using var browser = await SignedInAsync(_app.AdminToken);
        var name = $"made-{Guid.NewGuid():N}"[..13];

        var (_, list) = await GetPageAsync(browser, "ui/");
        using var created = await PostFormAsync(browser, "ui/caches", ("name", name), ("visibility", "private"));
        using var configured = await PostFormAsync(browser, $"ui/caches/{name}/configure", ("visibility", "public"), ("retentionDays", "30"), ("maxSize", "50G"));
        var (_, page) = await GetPageAsync(browser, $"ui/caches/{name}");
        var afterConfigure = await ApiGetCacheAsync(name);
        using var cleared = await PostFormAsync(browser, $"ui/caches/{name}/configure", ("visibility", "private"), ("retentionDays", ""), ("maxSize", ""));

        Assert.NotNull(list.QuerySelector("form[action='/ui/caches'] input[name=name]"));
        Assert.Equal(HttpStatusCode.Redirect, created.StatusCode);
        Assert.Equal($"/ui/caches/{name}", created.Headers.Location!.OriginalString);
        Assert.Equal(HttpStatusCode.Redirect, configured.StatusCode);
        Assert.True(afterConfigure.Public);
        Assert.Equal(30, afterConfigure.Retention!.CacheDays);
        Assert.Equal(50L << 30, afterConfigure.Retention.CacheMaxSizeBytes);
        Assert.Equal("30", page.QuerySelector<AngleSharp.Html.Dom.IHtmlInputElement>("#retention-days")!.Value);
        Assert.Equal("50G", page.QuerySelector<AngleSharp.Html.Dom.IHtmlInputElement>("#max-size")!.Value);
        Assert.True(page.QuerySelector<AngleSharp.Html.Dom.IHtmlInputElement>("input[name=visibility][value=public]")!.IsChecked);
        Assert.Contains("30 days", page.QuerySelector("section[aria-labelledby=retention]")!.TextContent, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Redirect, cleared.StatusCode);
        var afterClear = await ApiGetCacheAsync(name);
        Assert.False(afterClear.Public);
        Assert.Null(afterClear.Retention!.CacheDays);
        Assert.Null(afterClear.Retention.CacheMaxSizeBytes);
    }

    [Theory]
    [InlineData("Bad_Name", "private", 400, "invalid cache name 'Bad_Name'")]
    [InlineData("api", "private", 400, "it is reserved")]
    [InlineData("", "private", 400, "a cache name is required")]
    [InlineData("fine-name", "both", 400, "invalid visibility 'both'")]
    public async Task Creating_a_cache_with_a_bad_name_or_visibility_is_refused_naming_the_problem(string name, string visibility, int status, string message)
    {
        using var browser = await SignedInAsync(_app.AdminToken);

        using var response = await PostFormAsync(browser, "ui/caches", ("name", name), ("visibility", visibility));

        Assert.Equal((HttpStatusCode)status, response.StatusCode);
        Assert.Contains(message, (await ParseAsync(response)).QuerySelector("[role=alert]")!.TextContent, StringComparison.Ordinal);
        using var api = _app.CreateClient(_app.AdminToken);
        Assert.Equal(HttpStatusCode.NotFound, (await api.GetAsync("api/v1/caches/fine-name")).StatusCode);
    }

    [Fact]
    public async Task Creating_a_cache_whose_name_is_taken_is_a_409()
    {
        var existing = await _app.CreateCacheAsync($"taken-{Guid.NewGuid():N}"[..14]);
        using var browser = await SignedInAsync(_app.AdminToken);

        using var response = await PostFormAsync(browser, "ui/caches", ("name", existing.Name), ("visibility", "public"));

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Contains("already exists", (await ParseAsync(response)).QuerySelector("[role=alert]")!.TextContent, StringComparison.Ordinal);
        Assert.False((await ApiGetCacheAsync(existing.Name)).Public);
    }

    [Theory]
    [InlineData("public", "0", "", "invalid retention days 0: it must be from 1 to 36500")]
    [InlineData("public", "36501", "", "invalid retention days 36501")]
    [InlineData("public", "ten", "", "invalid retention days 'ten'")]
    [InlineData("public", "", "12X", "unknown unit 'X'")]
    [InlineData("public", "", "big", "invalid size 'big'")]
    [InlineData("public", "", "0", "invalid size '0'")]
    [InlineData("open", "", "", "invalid visibility 'open'")]
    public async Task Configuring_with_a_bad_value_changes_nothing_and_names_the_problem(string visibility, string days, string maxSize, string message)
    {
        var cache = await _app.CreateCacheAsync($"conf-{Guid.NewGuid():N}"[..13]);
        using var browser = await SignedInAsync(_app.AdminToken);

        using var response = await PostFormAsync(browser, $"ui/caches/{cache.Name}/configure", ("visibility", visibility), ("retentionDays", days), ("maxSize", maxSize));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(message, (await ParseAsync(response)).QuerySelector("[role=alert]")!.TextContent, StringComparison.Ordinal);
        var after = await ApiGetCacheAsync(cache.Name);
        Assert.False(after.Public);
        Assert.Null(after.Retention!.CacheDays);
        Assert.Null(after.Retention.CacheMaxSizeBytes);
    }

    [Fact]
    public async Task Garbage_collection_previews_what_it_would_evict_deletes_nothing_runs_on_confirmation_and_the_evictions_show_among_recent_events()
    {
        var cache = await CacheWithPathsAsync("gc", isPublic: true, 3);
        using var browser = await SignedInAsync(_app.AdminToken);
        using (var limit = await PostFormAsync(browser, $"ui/caches/{cache.Name}/configure", ("visibility", "public"), ("maxSize", "1")))
        {
            Assert.Equal(HttpStatusCode.Redirect, limit.StatusCode);
        }

        using var preview = await PostFormAsync(browser, $"ui/caches/{cache.Name}/gc/preview");
        var previewPage = await ParseAsync(preview);
        var pathsAfterPreview = (await ApiGetCacheAsync(cache.Name)).Stats.Paths;
        var confirm = previewPage.QuerySelector<AngleSharp.Html.Dom.IHtmlFormElement>($"form[action='/ui/caches/{cache.Name}/gc']")!;
        using var run = await browser.PostAsync(confirm.Action.Replace("about://", "", StringComparison.Ordinal).TrimStart('/'), Form(("csrf", confirm.QuerySelector<AngleSharp.Html.Dom.IHtmlInputElement>("input[name=csrf]")!.Value)));
        var runPage = await ParseAsync(run);

        Assert.Equal(HttpStatusCode.OK, preview.StatusCode);
        Assert.Contains("would evict 3 paths", previewPage.QuerySelector("[role=status]")!.TextContent, StringComparison.Ordinal);
        Assert.Equal(cache.Paths.Select(p => p.HashPart).Order(StringComparer.Ordinal), EvictedHashParts(previewPage).Order(StringComparer.Ordinal));
        Assert.Equal(3, pathsAfterPreview);
        Assert.Equal(HttpStatusCode.OK, run.StatusCode);
        Assert.Contains("evicted 3 paths", runPage.QuerySelector("[role=status]")!.TextContent, StringComparison.Ordinal);
        Assert.Equal(0, (await ApiGetCacheAsync(cache.Name)).Stats.Paths);
        var (_, cachePage) = await GetPageAsync(browser, $"ui/caches/{cache.Name}");
        var events = cachePage.QuerySelectorAll("section[aria-labelledby=events] tbody tr").Select(tr => tr.TextContent).ToList();
        Assert.All(cache.Paths, p =>
        {
            Assert.Contains(events, e => e.Contains("evict (evicted: max-size)", StringComparison.Ordinal) && e.Contains(p.Info.StorePath.ToString(), StringComparison.Ordinal));
            Assert.Contains(events, e => e.Contains("push", StringComparison.Ordinal) && e.Contains(p.Info.StorePath.ToString(), StringComparison.Ordinal));
        });
        using var anonymous = _app.CreateClient();
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync($"{cache.Name}/{cache.Paths[0].HashPart}.narinfo")).StatusCode);
    }

    [Fact]
    public async Task A_preview_of_a_cache_that_keeps_everything_says_so_and_offers_no_run()
    {
        var cache = await CacheWithPathsAsync("keep", isPublic: true, 1);
        using var browser = await SignedInAsync(_app.AdminToken);

        using var preview = await PostFormAsync(browser, $"ui/caches/{cache.Name}/gc/preview");
        var page = await ParseAsync(preview);

        Assert.Equal(HttpStatusCode.OK, preview.StatusCode);
        Assert.Contains("the cache keeps everything", page.QuerySelector("[role=status]")!.TextContent, StringComparison.Ordinal);
        Assert.Null(page.QuerySelector($"form[action='/ui/caches/{cache.Name}/gc']"));
    }

    private static IEnumerable<string> EvictedHashParts(IDocument page) =>
        page.QuerySelectorAll("#evicted tbody tr td:first-child").Select(td => td.TextContent.Trim()["/nix/store/".Length..][..32]);

    private async Task<(string Name, List<PushedPath> Paths)> CacheWithPathsAsync(string prefix, bool isPublic, int count)
    {
        var name = $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 9)];
        await _app.CreateCacheAsync(name, isPublic);
        using var admin = _app.CreateClient(_app.AdminToken);
        var paths = new List<PushedPath>();
        for (var i = 0; i < count; i++)
        {
            // NARs of different sizes, so the largest-paths order is the size order.
            var path = await PushedPath.CreateAsync(nar: await NarFixtures.FileAsync(1000 * (i + 1), (byte)Random.Shared.Next(256)));
            await path.PushAsync(admin, name);
            paths.Add(path);
        }
        return (name, paths);
    }

    private async Task<Larder.Contracts.Caches.CacheDto> ApiGetCacheAsync(string name)
    {
        using var api = _app.CreateClient(_app.AdminToken);
        return (await api.GetFromJsonAsync($"api/v1/caches/{name}", LarderJsonContext.Default.CacheDto))!;
    }

    private async Task<HttpClient> SignedInAsync(string token)
    {
        var browser = Open(_app.BaseAddress);
        (await SignInAsync(browser, token)).Dispose();
        return browser;
    }
}
