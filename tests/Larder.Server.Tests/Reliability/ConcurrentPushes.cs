using Larder.Testing;

namespace Larder.Server.Tests.Reliability;

/// <summary>One push of a chain member's closure: by <c>nix copy --to</c> (with the given compression) or by <c>larder push</c>.</summary>
internal sealed record PlannedPush(string Cache, int Member, string Tool);

/// <summary>
/// Many pushes of overlapping closures at once, a mix of the real <c>nix copy --to http://…</c> and <c>larder push</c>,
/// all with one write token.
/// </summary>
internal sealed class ConcurrentPushes
{
    private static readonly TimeSpan PushTimeout = TimeSpan.FromMinutes(3);
    private readonly string _baseUrl;
    private readonly IReadOnlyDictionary<string, string> _nixEnvironment;
    private readonly Dictionary<string, string> _larderEnvironment;
    private readonly string _scratch;

    /// <param name="scratch">A folder for the CLI's configuration and each push's own Nix cache folder.</param>
    public ConcurrentPushes(NixPeer nix, string baseUrl, string token, string scratch)
    {
        _baseUrl = baseUrl;
        _scratch = scratch;
        _nixEnvironment = nix.EnvironmentWith($"netrc-file = {nix.WriteNetrc("127.0.0.1", token)}");
        _larderEnvironment = new Dictionary<string, string>(nix.Environment)
        {
            ["LARDER_SERVER"] = baseUrl,
            ["LARDER_TOKEN"] = token,
            ["LARDER_CONFIG"] = Path.Combine(scratch, "larder-config.json"),
        };
    }

    /// <summary>
    /// <paramref name="count"/> pushes of random members of a chain of <paramref name="chainLength"/>+1 into random
    /// caches: every fifth by <c>larder push</c>, the others by <c>nix copy</c> with zstd or no compression.
    /// </summary>
    public static List<PlannedPush> Plan(Random random, int count, int chainLength, IReadOnlyList<string> caches) =>
        Enumerable.Range(0, count).Select(i => new PlannedPush(
            caches[random.Next(caches.Count)],
            random.Next(chainLength + 1),
            (i % 5) switch { 4 => "larder", 3 => "nix-none", _ => "nix-zstd" })).ToList();

    /// <summary>Starts one push of member <see cref="PlannedPush.Member"/> of <paramref name="chain"/>.</summary>
    public Task<ProcessResult> RunAsync(PlannedPush push, PayloadChain chain)
    {
        var path = chain.Members[push.Member];
        return push.Tool switch
        {
            "larder" => LarderExecutable.RunAsync(["push", push.Cache, path],
                new ProcessOptions { Environment = _larderEnvironment, Timeout = PushTimeout }),
            _ => ProcessRunner.RunAsync("nix", ["copy", "--to", $"{_baseUrl}/{push.Cache}?compression={push.Tool["nix-".Length..]}", path],
                new ProcessOptions { Environment = WithOwnNixCache(_nixEnvironment), Timeout = PushTimeout }),
        };
    }

    /// <summary>Concurrent Nix processes sharing one narinfo cache database fail on its constraints ("constraint failed"): one each.</summary>
    private Dictionary<string, string> WithOwnNixCache(IReadOnlyDictionary<string, string> environment) =>
        new(environment) { ["XDG_CACHE_HOME"] = Path.Combine(_scratch, $"xdg-{Guid.NewGuid():N}") };
}
