using System.Net;
using System.Net.Http.Json;
using Larder.Contracts;
using Larder.Contracts.Tokens;
using Larder.Server.Tests.Security;

namespace Larder.Server.Tests.Ui;

/// <summary>The dashboard through a cookie-keeping client: visibility, sign-in and sign-out, CSRF.</summary>
public sealed class DashboardTests(LarderApplicationFixture fixture) : IClassFixture<LarderApplicationFixture>
{
    [Fact]
    public async Task Anonymous_visitor_sees_public_caches_and_nothing_of_private_ones()
    {
        var (open, secret) = await TwoCachesAsync();
        using var browser = Browser();

        var list = await browser.GetStringAsync("ui/");
        using var privatePage = await browser.GetAsync($"ui/caches/{secret}");

        Assert.Contains(open, list, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, list, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, privatePage.StatusCode);
        Assert.DoesNotContain(secret, await privatePage.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var openPage = await browser.GetStringAsync($"ui/caches/{open}");
        Assert.Contains($"substituters = https://cache.nixos.org {fixture.App.BaseAddress}{open}", openPage, StringComparison.Ordinal);
        Assert.Contains($"larder use {open}", openPage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_token_without_grants_sees_no_private_cache_and_a_granted_one_does()
    {
        var (_, secret) = await TwoCachesAsync();
        var (ungranted, _) = await fixture.App.CreateTokenAsync(new GrantDto("other-*", ["read"]));
        var (reader, _) = await fixture.App.CreateTokenAsync(new GrantDto(secret, ["read"]));
        using var outsider = Browser();
        using var insider = Browser();

        await SignInAsync(outsider, ungranted);
        await SignInAsync(insider, reader);

        Assert.DoesNotContain(secret, await outsider.GetStringAsync("ui/"), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await outsider.GetAsync($"ui/caches/{secret}")).StatusCode);
        Assert.Contains(secret, await insider.GetStringAsync("ui/"), StringComparison.Ordinal);
        var page = await insider.GetStringAsync($"ui/caches/{secret}");
        Assert.Contains("machine 127.0.0.1 password YOUR-LARDER-TOKEN", page, StringComparison.Ordinal);
        Assert.DoesNotContain(reader, page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sign_in_sets_a_strict_http_only_cookie_and_sign_out_clears_it()
    {
        using var browser = Browser();

        using var signedIn = await SignInAsync(browser, fixture.App.AdminToken);
        var cookie = signedIn.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("larder_session=", StringComparison.Ordinal));
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("Sign out", await browser.GetStringAsync("ui/"), StringComparison.Ordinal);

        using var signOut = await browser.PostAsync("ui/sign-out", Form(("csrf", await CsrfAsync(browser))));
        Assert.Equal(HttpStatusCode.Redirect, signOut.StatusCode);
        Assert.Contains("Sign in", await browser.GetStringAsync("ui/"), StringComparison.Ordinal);
    }

    /// <summary>Every form post of the dashboard (its POST rows in the access matrix), without a CSRF value and with a wrong one.</summary>
    public static TheoryData<string, string?> FormPosts()
    {
        var data = new TheoryData<string, string?>();
        foreach (var row in AccessMatrix.Rows.Where(r => r.Method == "POST" && r.Route.StartsWith("/ui/", StringComparison.Ordinal)))
        {
            var url = row.Url.Replace("{c}", "main", StringComparison.Ordinal);
            data.Add(url, null);
            data.Add(url, "0000000000000000000000000000000000000000000000000000000000000000");
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(FormPosts))]
    public async Task Every_form_post_without_the_matching_csrf_value_is_refused_and_changes_nothing(string path, string? csrf)
    {
        using var browser = Browser();
        await SignInAsync(browser, fixture.App.AdminToken);
        var made = $"csrf-{Guid.NewGuid():N}"[..13];
        (string, string)[] fields =
        [
            ("token", fixture.App.AdminToken), ("name", made), ("visibility", "public"), ("description", made), ("cache", "*"), ("permissions", "admin"),
            .. csrf is null ? Array.Empty<(string, string)>() : [("csrf", csrf)],
        ];

        using var response = await browser.PostAsync(path, Form(fields));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.False(response.Headers.TryGetValues("Set-Cookie", out var cookies) && cookies.Any(c => c.StartsWith("larder_session=", StringComparison.Ordinal)));
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("ui/tokens")).StatusCode);
        using var admin = fixture.App.CreateClient(fixture.App.AdminToken);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync($"api/v1/caches/{made}")).StatusCode);
        Assert.DoesNotContain(made, await admin.GetStringAsync("api/v1/tokens"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_invalid_token_is_refused_and_never_echoed()
    {
        using var browser = Browser();
        const string wrong = "larder_not-a-real-token-0123456789";

        using var response = await browser.PostAsync("ui/sign-in", Form(("csrf", await CsrfAsync(browser)), ("token", wrong)));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.DoesNotContain(wrong, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Failed_sign_ins_count_as_failed_authentications_and_beyond_the_burst_are_a_429_while_a_valid_token_still_signs_in()
    {
        await using var app = await LarderApplication.StartAsync(args: ["--Larder:FailedAuthentication:Burst=2", "--Larder:FailedAuthentication:RefillInterval=01:00:00"]);
        using var browser = DashboardBrowser.Open(app.BaseAddress);
        var csrf = await CsrfAsync(browser);
        var statuses = new List<HttpStatusCode>();

        for (var i = 0; i < 3; i++)
        {
            using var wrong = await browser.PostAsync("ui/sign-in", Form(("csrf", csrf), ("token", $"larder_wrong-{i}")));
            statuses.Add(wrong.StatusCode);
            if (wrong.StatusCode == HttpStatusCode.TooManyRequests)
            {
                Assert.Equal(TimeSpan.FromHours(1), wrong.Headers.RetryAfter!.Delta);
                Assert.Contains("Too many failed sign-ins from this address: try again in 3600 seconds", await wrong.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            }
        }
        using var api = app.CreateClient("larder_wrong-api");
        using var apiRefused = await api.GetAsync("api/v1/whoami");

        Assert.Equal([HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.TooManyRequests], statuses);
        Assert.Equal(HttpStatusCode.TooManyRequests, apiRefused.StatusCode);
        using var valid = await browser.PostAsync("ui/sign-in", Form(("csrf", csrf), ("token", app.AdminToken)));
        Assert.Equal(HttpStatusCode.Redirect, valid.StatusCode);
    }

    [Theory]
    [InlineData("", "Type the start")]
    [InlineData("hello%20world", "Store path names hold only")]
    [InlineData("%3Cscript%3E", "Store path names hold only")]
    public async Task A_search_for_nothing_or_for_characters_no_store_path_has_is_a_400_saying_so(string query, string message)
    {
        var (open, _) = await TwoCachesAsync();
        using var browser = Browser();

        using var response = await browser.GetAsync($"ui/caches/{open}/search?q={query}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains(message, html, StringComparison.Ordinal);
        Assert.DoesNotContain("<script>", html, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("hello")]
    [InlineData("0000000000000000000000000000000e-hello")]
    [InlineData("%3Cscript%3E")]
    public async Task A_path_list_continuing_after_something_not_a_store_path_base_name_is_a_400_saying_so(string after)
    {
        var (open, _) = await TwoCachesAsync();
        using var browser = Browser();

        using var response = await browser.GetAsync($"ui/caches/{open}/paths?after={after}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains("must be a store path's base name", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<script>", html, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0000000000000000000000000000000a")]
    [InlineData("not-a-hash")]
    public async Task A_path_the_cache_does_not_hold_is_a_404_page(string hash)
    {
        var (open, _) = await TwoCachesAsync();
        using var browser = Browser();

        using var response = await browser.GetAsync($"ui/caches/{open}/paths/{hash}");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("no path with that hash", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_token_without_admin_sees_only_itself_and_cannot_revoke_others()
    {
        var (reader, readerId) = await fixture.App.CreateTokenAsync(new GrantDto("some-*", ["read"]));
        using var browser = Browser();
        await SignInAsync(browser, reader);

        var page = await browser.GetStringAsync("ui/tokens");
        using var refused = await browser.PostAsync("ui/tokens/1/revoke", Form(("csrf", await CsrfAsync(browser))));

        Assert.Contains($"<td>{readerId}</td>", page, StringComparison.Ordinal);
        Assert.DoesNotContain("<td>1</td>", page, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Contains("only a token with admin on", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_admin_sees_tokens_newest_first_a_hundred_a_page_and_a_bad_page_start_is_a_400()
    {
        await using var app = await LarderApplication.StartAsync();
        for (var i = 0; i < 100; i++)
        {
            await app.CreateTokenAsync(new GrantDto("paged-*", ["read"]));
        }
        using var api = app.CreateClient(app.AdminToken);
        var ids = (await api.GetFromJsonAsync("api/v1/tokens", LarderJsonContext.Default.IReadOnlyListTokenDto))!.Select(t => t.Id).ToList();
        using var browser = DashboardBrowser.Open(app.BaseAddress);
        await SignInAsync(browser, app.AdminToken);

        var (firstStatus, first) = await DashboardBrowser.GetPageAsync(browser, "ui/tokens");
        var next = first.QuerySelector("a[rel=next]")!.GetAttribute("href")!;
        var (_, second) = await DashboardBrowser.GetPageAsync(browser, next.TrimStart('/'));
        var (badStatus, bad) = await DashboardBrowser.GetPageAsync(browser, "ui/tokens?before=-5");

        Assert.Equal(HttpStatusCode.OK, firstStatus);
        Assert.Equal(ids.OrderDescending().Take(100), TokenIds(first));
        Assert.Equal(ids.OrderDescending().Skip(100), TokenIds(second));
        Assert.Null(second.QuerySelector("a[rel=next]"));
        Assert.Equal(HttpStatusCode.BadRequest, badStatus);
        Assert.Contains("a token id (a positive whole number), not '-5'", bad.QuerySelector("[role=alert]")!.TextContent, StringComparison.Ordinal);
    }

    private static IEnumerable<long> TokenIds(AngleSharp.Dom.IDocument page) =>
        page.QuerySelectorAll("section[aria-labelledby=tokens] tbody tr td:first-child").Select(td => long.Parse(td.TextContent, System.Globalization.CultureInfo.InvariantCulture));

    [Fact]
    public async Task A_token_cannot_be_created_with_grants_its_creator_lacks()
    {
        var (reader, _) = await fixture.App.CreateTokenAsync(new GrantDto("some-*", ["read"]));
        using var browser = Browser();
        await SignInAsync(browser, reader);

        using var response = await browser.PostAsync("ui/tokens", Form(
            ("csrf", await CsrfAsync(browser)), ("description", "escalate"), ("cache", "*"), ("permissions", "admin")));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains("cannot grant admin on", html, StringComparison.Ordinal);
        Assert.DoesNotContain("larder_", html.Replace("larder_session", "", StringComparison.Ordinal).Replace("larder_csrf", "", StringComparison.Ordinal), StringComparison.Ordinal);
    }

    private async Task<(string Public, string Private)> TwoCachesAsync()
    {
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var open = (await fixture.App.CreateCacheAsync($"pub-{suffix}", isPublic: true)).Name;
        var secret = (await fixture.App.CreateCacheAsync($"priv-{suffix}", isPublic: false)).Name;
        return (open, secret);
    }

    private HttpClient Browser() => DashboardBrowser.Open(fixture.App.BaseAddress);

    private static Task<HttpResponseMessage> SignInAsync(HttpClient browser, string token) => DashboardBrowser.SignInAsync(browser, token);

    private static Task<string> CsrfAsync(HttpClient browser) => DashboardBrowser.CsrfAsync(browser);

    private static FormUrlEncodedContent Form(params (string Key, string Value)[] fields) => DashboardBrowser.Form(fields);
}
