using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Larder.Contracts.Paths;
using Larder.Server.Tests.Api;
using Larder.Server.Tests.BinaryCache;

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
    public async Task A_collection_that_evicts_moves_the_gc_counters_by_what_it_evicted_and_freed()
    {
        await using var app = await LarderApplication.StartAsync(args: ["--Larder:Retention:RecentPushProtection=00:00:00"]);
        await app.CreateCacheAsync("shrunk");
        using var admin = app.CreateClient(app.AdminToken);
        for (var i = 0; i < 3; i++)
        {
            await (await PushedPath.CreateAsync()).PushAsync(admin, "shrunk");
        }
        (await admin.PatchAsync("api/v1/caches/shrunk", new StringContent("""{"maxSizeBytes": 1}""", Encoding.UTF8, "application/json"))).EnsureSuccessStatusCode();
        var before = await PrometheusText.ScrapeAsync(admin);

        var dryRun = await ApiAssert.OkAsync(await admin.PostAsync("api/v1/caches/shrunk/gc?dryRun=true", null), PathJsonContext.Default.GcResultDto);
        var afterDryRun = await PrometheusText.ScrapeAsync(admin);
        var run = await ApiAssert.OkAsync(await admin.PostAsync("api/v1/caches/shrunk/gc", null), PathJsonContext.Default.GcResultDto);
        var after = await PrometheusText.ScrapeAsync(admin);

        Assert.Equal((3L, 3L), (dryRun.PathsEvicted, run.PathsEvicted));
        Assert.True(run.BytesFreed > 0);
        Assert.Equal(0, afterDryRun.Sum("larder_gc_paths_evicted_total") - before.Sum("larder_gc_paths_evicted_total"));
        Assert.Equal(0, afterDryRun.Sum("larder_gc_bytes_freed_total") - before.Sum("larder_gc_bytes_freed_total"));
        Assert.Equal(run.PathsEvicted, after.Sum("larder_gc_paths_evicted_total") - before.Sum("larder_gc_paths_evicted_total"));
        Assert.Equal(run.BytesFreed, after.Sum("larder_gc_bytes_freed_total") - before.Sum("larder_gc_bytes_freed_total"));
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
