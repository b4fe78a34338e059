using System.Net;
using System.Net.Http.Headers;

namespace Larder.Server.Tests.Metrics;

public sealed class MetricsEndpointTests
{
    [Fact]
    public async Task Metrics_count_requests_by_route_template_never_by_raw_path()
    {
        await using var app = await LarderApplication.StartAsync();
        await app.CreateCacheAsync("open", isPublic: true);
        using var client = app.CreateClient();

        await client.GetAsync("open/nix-cache-info");
        await client.GetAsync("open/zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz.narinfo");
        await client.GetAsync("open/zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz.narinfo"); // remembered: answered before routing
        await client.GetAsync("made-up-name/11111111111111111111111111111111.narinfo");
        var metrics = await PrometheusText.ScrapeAsync(client);

        Assert.Equal(1, metrics.Sum("larder_http_requests_total", "cache=\"open\"", "endpoint=\"/{cache}/nix-cache-info\"", "status=\"200\""));
        Assert.Equal(2, metrics.Sum("larder_narinfo_misses_total", "cache=\"open\""));
        // No such cache answers as a private one would (401), under no cache label.
        Assert.Equal(1, metrics.Sum("larder_http_requests_total", "cache=\"-\"", "endpoint=\"/{cache}/{hash}.narinfo\"", "status=\"401\""));
        var all = await client.GetStringAsync("metrics");
        Assert.DoesNotContain("made-up-name", all, StringComparison.Ordinal);
        Assert.DoesNotContain("zzzzzzzz", all, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Gc_runs_are_counted_by_mode_and_a_dry_run_frees_nothing()
    {
        await using var app = await LarderApplication.StartAsync();
        await app.CreateCacheAsync("collected");
        using var admin = app.CreateClient(app.AdminToken);

        (await admin.PostAsync("api/v1/caches/collected/gc?dryRun=true", null)).EnsureSuccessStatusCode();
        (await admin.PostAsync("api/v1/caches/collected/gc", null)).EnsureSuccessStatusCode();
        (await admin.PostAsync("api/v1/caches/collected/gc", null)).EnsureSuccessStatusCode();
        var metrics = await PrometheusText.ScrapeAsync(admin);

        Assert.Equal(1, metrics.Sum("larder_gc_runs_total", "mode=\"dry-run\""));
        Assert.Equal(2, metrics.Sum("larder_gc_runs_total", "mode=\"run\""));
        Assert.Equal(0, metrics.Sum("larder_gc_bytes_freed_total"));
    }

    [Fact]
    public async Task A_configured_token_protects_metrics()
    {
        await using var app = await LarderApplication.StartAsync(args: ["--Larder:Metrics:Token=scrape-secret"]);
        using var anonymous = app.CreateClient();
        using var wrong = app.CreateClient("other-secret");
        using var admin = app.CreateClient(app.AdminToken);
        using var scraper = app.CreateClient("scrape-secret");

        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("metrics")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await wrong.GetAsync("metrics")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await admin.GetAsync("metrics")).StatusCode);
        using var response = await scraper.GetAsync("metrics");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(new MediaTypeHeaderValue("text/plain") { CharSet = "utf-8" }.MediaType, response.Content.Headers.ContentType?.MediaType);
    }
}
