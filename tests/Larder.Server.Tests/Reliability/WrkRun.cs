using System.Globalization;
using System.Text.RegularExpressions;
using Larder.Testing;

namespace Larder.Server.Tests.Reliability;

/// <summary>What <c>wrk --latency</c> measured: requests, errors (non-2xx answers and socket errors) and latency percentiles.</summary>
internal sealed partial record WrkRun(long Requests, long NonSuccess, long SocketErrors, double P50Ms, double P99Ms, double RequestsPerSecond)
{
    /// <summary>GETs of the URLs (one per line, paths under <paramref name="baseUrl"/>), in random order, for <paramref name="duration"/>.</summary>
    public static async Task<WrkRun> RunAsync(string baseUrl, IReadOnlyList<string> urls, TimeSpan duration, int connections, string scratch)
    {
        var list = Path.Combine(scratch, $"wrk-urls-{Guid.NewGuid():N}");
        await File.WriteAllLinesAsync(list, urls);
        var script = Path.Combine(scratch, $"wrk-{Guid.NewGuid():N}.lua");
        await File.WriteAllTextAsync(script, Script);
        var result = (await ProcessRunner.RunAsync("wrk",
        [
            "-t", Math.Min(2, connections).ToString(CultureInfo.InvariantCulture), "-c", connections.ToString(CultureInfo.InvariantCulture),
            "-d", $"{(int)duration.TotalSeconds}s", "--timeout", "30s", "--latency", "-s", script, baseUrl,
        ], new ProcessOptions { Environment = new Dictionary<string, string> { ["WRK_URLS"] = list }, Timeout = duration + TimeSpan.FromMinutes(2) }))
            .EnsureSuccess();
        return Parse(result.Stdout);
    }

    /// <summary>Reads wrk's summary (its latency distribution needs <c>--latency</c>).</summary>
    public static WrkRun Parse(string output)
    {
        var socketErrors = SocketErrorsLine().Match(output) is { Success: true } m
            ? m.Groups.Cast<Group>().Skip(1).Sum(g => long.Parse(g.Value, CultureInfo.InvariantCulture))
            : 0;
        return new WrkRun(
            long.Parse(RequestsLine().Match(output).Groups[1].Value, CultureInfo.InvariantCulture),
            NonSuccessLine().Match(output) is { Success: true } n ? long.Parse(n.Groups[1].Value, CultureInfo.InvariantCulture) : 0,
            socketErrors,
            Percentile(output, "50"),
            Percentile(output, "99"),
            double.Parse(RateLine().Match(output).Groups[1].Value, CultureInfo.InvariantCulture));
    }

    private static double Percentile(string output, string percent)
    {
        var match = Regex.Match(output, $@"^\s+{percent}%\s+([0-9.]+)(us|ms|s)\s*$", RegexOptions.Multiline);
        var value = double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        return match.Groups[2].Value switch { "us" => value / 1000, "s" => value * 1000, _ => value };
    }

    private const string Script = """
        local urls = {}
        for line in io.lines(os.getenv("WRK_URLS")) do urls[#urls + 1] = line end
        math.randomseed(os.time())
        request = function()
          return wrk.format("GET", urls[math.random(#urls)])
        end
        """;

    [GeneratedRegex(@"^\s*(\d+) requests in", RegexOptions.Multiline)]
    private static partial Regex RequestsLine();

    [GeneratedRegex(@"Non-2xx or 3xx responses: (\d+)")]
    private static partial Regex NonSuccessLine();

    [GeneratedRegex(@"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)")]
    private static partial Regex SocketErrorsLine();

    [GeneratedRegex(@"Requests/sec:\s+([0-9.]+)")]
    private static partial Regex RateLine();
}
