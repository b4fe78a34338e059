using System.Net;
using System.Text.RegularExpressions;
using AngleSharp.Dom;
using AngleSharp.Html.Parser;

namespace Larder.Server.Tests.Ui;

/// <summary>A cookie-keeping client of the dashboard, as a browser without JavaScript uses it: sign in, read the CSRF field, post forms.</summary>
public static partial class DashboardBrowser
{
    public static HttpClient Open(Uri baseAddress) =>
        new(new HttpClientHandler { UseCookies = true, AllowAutoRedirect = false }) { BaseAddress = baseAddress };

    public static async Task<HttpResponseMessage> SignInAsync(HttpClient browser, string token)
    {
        var response = await browser.PostAsync("ui/sign-in", Form(("csrf", await CsrfAsync(browser)), ("token", token)));
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        return response;
    }

    public static async Task<string> CsrfAsync(HttpClient browser) =>
        CsrfField().Match(await browser.GetStringAsync("ui/sign-in")).Groups[1].Value;

    public static FormUrlEncodedContent Form(params (string Key, string Value)[] fields) =>
        new(fields.Select(f => new KeyValuePair<string, string>(f.Key, f.Value)));

    /// <summary>Posts the fields with this session's CSRF value.</summary>
    public static async Task<HttpResponseMessage> PostFormAsync(HttpClient browser, string path, params (string Key, string Value)[] fields) =>
        await browser.PostAsync(path, Form([("csrf", await CsrfAsync(browser)), .. fields]));

    /// <summary>The page at <paramref name="path"/>, parsed, with its status.</summary>
    public static async Task<(HttpStatusCode Status, IDocument Page)> GetPageAsync(HttpClient browser, string path)
    {
        using var response = await browser.GetAsync(path);
        return (response.StatusCode, await ParseAsync(response));
    }

    public static async Task<IDocument> ParseAsync(HttpResponseMessage response) =>
        await new HtmlParser().ParseDocumentAsync(await response.Content.ReadAsStringAsync());

    [GeneratedRegex("name=\"csrf\" value=\"([0-9a-f]{64})\"")]
    private static partial Regex CsrfField();
}
