using System.Globalization;
using Larder.Contracts.Tokens;
using Larder.Testing;

namespace Larder.Server.Tests.Metrics;

/// <summary>The counters of <c>/metrics</c> after the real Nix pushes a closure and a fresh store substitutes it.</summary>
[Trait("Category", "EndToEnd")]
public sealed class MetricsWithNixTests
{
    private const int ChainLength = 3;

    [Fact]
    public async Task Push_and_substitution_move_the_counters_by_what_nix_sent_and_fetched()
    {
        var nix = await NixPeer.GetAsync();
        await using var app = await LarderApplication.StartAsync();
        var cache = await app.CreateCacheAsync("metered", isPublic: true);
        var (writer, _) = await app.CreateTokenAsync(new GrantDto("metered", ["read", "write"]));
        var cacheUrl = $"{app.BaseAddress}metered";
        var output = await nix.BuildChainAsync(ChainLength, Guid.NewGuid().ToString());
        using var client = app.CreateClient();
        var before = await PrometheusText.ScrapeAsync(client);

        (await NixPeer.TryRunNixAsync(nix.EnvironmentWith($"netrc-file = {nix.WriteNetrc("127.0.0.1", writer)}"),
            "nix", "copy", "--to", $"{cacheUrl}?compression=zstd", output)).EnsureSuccess();
        var pushed = await PrometheusText.ScrapeAsync(client);
        using var store = new TempDirectory("larder-store");
        (await NixPeer.TryRunNixAsync(nix.EnvironmentWith($"trusted-public-keys = {cache.PublicKey}"),
            "nix", "copy", "--from", cacheUrl, "--to", store.Path, output)).EnsureSuccess();
        var substituted = await PrometheusText.ScrapeAsync(client);

        var closure = ChainLength + 1;
        const string nar = "endpoint=\"/{cache}/nar/{file}\"";
        Assert.Equal(closure, Moved(before, pushed, "larder_upload_size_bytes_count", nar));
        Assert.Equal(closure, Moved(before, pushed, "larder_push_duration_seconds_count", nar));
        Assert.Equal(closure, Moved(before, pushed, "larder_http_requests_total", "cache=\"metered\"", "endpoint=\"/{cache}/{hash}.narinfo\"", "method=\"PUT\""));
        Assert.Equal(Moved(before, pushed, "larder_upload_size_bytes_sum"), Moved(before, pushed, "larder_bytes_received_total", "cache=\"metered\""));
        Assert.Equal(0, pushed.Sum("larder_uploads_in_flight"));

        // Nix may ask for a narinfo more than once, but downloads each NAR once.
        Assert.InRange(Moved(pushed, substituted, "larder_narinfo_hits_total", "cache=\"metered\""), closure, double.MaxValue);
        Assert.Equal(0, Moved(pushed, substituted, "larder_narinfo_misses_total", "cache=\"metered\""));
        Assert.Equal(closure, Moved(pushed, substituted, "larder_http_requests_total", "cache=\"metered\"", nar, "method=\"GET\"", "status=\"200\""));
        var narBytes = 0L;
        foreach (var path in (await nix.RunNixAsync("nix-store", "--query", "--requisites", output)).Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var narInfo = await client.GetStringAsync($"metered/{Path.GetFileName(path)[..32]}.narinfo");
            narBytes += long.Parse(narInfo.Split('\n').Single(l => l.StartsWith("FileSize: ", StringComparison.Ordinal))["FileSize: ".Length..], CultureInfo.InvariantCulture);
        }
        var narsServed = Moved(pushed, substituted, "larder_bytes_served_total", "cache=\"metered\"");
        Assert.InRange(narsServed, narBytes, narBytes + (closure * 4096));
        // The chain's NARs are small: stored inline and served from the server's memory, without opening the blob store.
        Assert.Equal(0, Moved(pushed, substituted, "larder_storage_operation_duration_seconds_count", "operation=\"open\""));
        Assert.True(substituted.Sum("larder_database_operation_duration_seconds_count") > 0);
    }

    private static double Moved(PrometheusText from, PrometheusText to, string name, params string[] labels) =>
        to.Sum(name, labels) - from.Sum(name, labels);
}
