using Larder.Nix.Compression;
using Larder.Nix.Signing;
using Larder.Server.Metadata;
using Microsoft.Extensions.Logging;
using Larder.Server.Configuration;
using Microsoft.Extensions.Options;

namespace Larder.Server.Upstreams;

/// <summary>
/// Finds a path in a cache's upstreams: asks them all at once (each answer remembered by <see cref="UpstreamMemory"/>)
/// and takes the first, in the cache's priority order, whose narinfo is for that path and carries a valid signature by
/// one of the cache's upstream keys; a narinfo without one counts as absent. Everything happens within
/// <see cref="UpstreamOptions.Timeout"/>: an upstream that has not answered by then counts as failed.
/// </summary>
internal sealed partial class UpstreamLookup(
    UpstreamClient client, UpstreamMemory memory, UpstreamMetrics metrics, IOptions<LarderOptions> options, ILogger<UpstreamLookup> logger)
{
    /// <summary>The path in the first upstream that has it with a trusted signature, or null.</summary>
    public async Task<UpstreamPath?> FindAsync(CacheRecord cache, string hashPart, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(cache);
        if (cache.Upstreams is not { Enabled: true } upstreams)
        {
            return null;
        }
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(options.Value.Upstreams.Timeout);
        var answers = upstreams.Urls.Select(url => AskAsync(url, hashPart, cache.StoreDir, deadline.Token)).ToList();
        try
        {
            for (int i = 0; i < answers.Count; i++)
            {
                var answer = await answers[i].ConfigureAwait(false);
                if (answer.NarInfo is { } info && Trusted(upstreams, upstreams.Urls[i], hashPart, info) is { } compression)
                {
                    return new UpstreamPath(upstreams.Urls[i], info, compression);
                }
            }
            return null;
        }
        finally
        {
            // Lower-priority upstreams still asking are not needed any more.
            await deadline.CancelAsync().ConfigureAwait(false);
        }
    }

    private async Task<UpstreamAnswer> AskAsync(string upstream, string hashPart, string storeDir, CancellationToken cancellationToken)
    {
        if (memory.Recall(upstream, hashPart) is { } remembered)
        {
            return remembered;
        }
        var answer = await client.GetNarInfoAsync(upstream, hashPart, storeDir, cancellationToken).ConfigureAwait(false);
        metrics.NarInfo(answer.Outcome);
        memory.Remember(upstream, hashPart, answer);
        return answer;
    }

    /// <summary>The compression of <paramref name="info"/> when the cache may serve it, else null (the reason logged).</summary>
    private CompressionKind? Trusted(CacheUpstreams upstreams, string upstream, string hashPart, Nix.NarInfo.NarInfo info)
    {
        if (info.StorePath.HashPart != hashPart)
        {
            LogRefused(logger, upstream, hashPart, $"it describes {info.StorePath.FullPath}");
            return null;
        }
        if (!info.VerifySignatures(upstreams.PublicKeys.Select(PublicKey.Parse)))
        {
            LogRefused(logger, upstream, hashPart, "no signature by the cache's upstream keys is valid");
            return null;
        }
        if (!CompressionNames.TryParse(info.Compression, out var compression))
        {
            LogRefused(logger, upstream, hashPart, $"unknown compression '{info.Compression}'");
            return null;
        }
        return compression;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "upstream {Upstream} has {HashPart}.narinfo, but it is not served: {Reason}")]
    private static partial void LogRefused(ILogger logger, string upstream, string hashPart, string reason);
}
