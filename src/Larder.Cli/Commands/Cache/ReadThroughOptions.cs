using System.CommandLine;
using Larder.Cli.Infrastructure;
using Larder.Contracts.Caches;

namespace Larder.Cli.Commands.Cache;

/// <summary>
/// The upstream options of <c>larder cache create|configure</c>: <c>--upstream-url</c> (repeatable, priority order),
/// <c>--upstream-key</c> (repeatable: a public key <c>name:base64</c> verifies upstream narinfos, and its name, like a
/// bare key name, marks paths push skips), <c>--upstream-mode store|proxy</c> and <c>--no-upstreams</c>.
/// </summary>
internal sealed class ReadThroughOptions
{
    public required Option<string[]> Urls { get; init; }

    public required Option<string[]> Keys { get; init; }

    public required Option<string?> Mode { get; init; }

    public required Option<bool> NoUpstreams { get; init; }

    public static ReadThroughOptions Create()
    {
        var mode = new Option<string?>("--upstream-mode")
        {
            Description = "What to do with paths found upstream: store (stream them to the client while storing them; default) or proxy (store nothing).",
        };
        mode.AcceptOnlyFromAmong("store", "proxy");
        return new ReadThroughOptions
        {
            Urls = new Option<string[]>("--upstream-url")
            {
                Description = "Upstream binary cache asked on a narinfo miss (repeatable, in priority order), e.g. https://cache.nixos.org.",
            },
            Keys = new Option<string[]>("--upstream-key")
            {
                Description = "Upstream key (repeatable): a public key name:base64 verifies upstream narinfos; its name, or a bare key name such as cache.nixos.org-1, also makes push skip paths it signed.",
            },
            Mode = mode,
            NoUpstreams = new Option<bool>("--no-upstreams") { Description = "Drop the upstream URLs (read-through off)." },
        };
    }

    /// <summary>Key names (bare ones and those of public keys, in order) and the public keys, from <c>--upstream-key</c>; null when not given.</summary>
    public (IReadOnlyList<string> Names, IReadOnlyList<string> PublicKeys)? SplitKeys(ParseResult parse)
    {
        if (parse.GetValue(Keys) is not { Length: > 0 } keys)
        {
            return null;
        }
        var names = keys.Select(k => k.Split(':', 2)[0]).Distinct(StringComparer.Ordinal).ToList();
        return (names, keys.Where(k => k.Contains(':', StringComparison.Ordinal)).ToList());
    }

    /// <summary><paramref name="request"/> with the URL and mode settings given on the command line.</summary>
    public UpdateCacheRequest Apply(ParseResult parse, UpdateCacheRequest request)
    {
        var urls = parse.GetValue(Urls);
        if (urls is { Length: > 0 } && parse.GetValue(NoUpstreams))
        {
            throw new CliException("--upstream-url and --no-upstreams contradict each other");
        }
        return request with
        {
            UpstreamUrls = parse.GetValue(NoUpstreams) ? [] : urls is { Length: > 0 } ? urls : null,
            UpstreamMode = parse.GetValue(Mode),
        };
    }

    /// <summary>The read-through settings in one line, e.g. <c>https://cache.nixos.org (store)</c>.</summary>
    public static string Describe(CacheDto cache) =>
        cache.UpstreamUrls is not { Count: > 0 } urls ? "(none)" : $"{string.Join(", ", urls)} ({cache.UpstreamMode ?? "store"})";
}
