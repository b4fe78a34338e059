using Larder.Server.Configuration;
using Larder.Server.Metadata;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Larder.Server.Upstreams;

/// <summary>
/// What the binary cache's read side asks when a cache with upstreams lacks a path (the request has passed the cache's
/// read access): the upstream's narinfo, rewritten to name a NAR this cache serves, and that NAR, streamed from the
/// upstream and, in store mode, stored on the way (<see cref="UpstreamNarStore"/>). A client waits on upstreams at most
/// <see cref="UpstreamOptions.Timeout"/> before the first byte (then it gets a 404) and between two reads.
/// </summary>
internal sealed partial class ReadThrough(
    UpstreamLookup lookup, UpstreamClient client, UpstreamNarStore store, UpstreamMetrics metrics, IMetadataStore metadata,
    IOptions<LarderOptions> options, ILogger<ReadThrough> logger)
{
    private const string NarContentType = "application/x-nix-nar";
    private readonly TimeSpan _timeout = options.Value.Upstreams.Timeout;

    /// <summary>The narinfo (UTF-8) this cache serves for a path found upstream, or null.</summary>
    public async Task<byte[]?> FindNarInfoAsync(CacheRecord cache, string hashPart, CancellationToken cancellationToken) =>
        (await lookup.FindAsync(cache, hashPart, cancellationToken).ConfigureAwait(false))?.Render();

    /// <summary>
    /// Answers <c>GET|HEAD nar/upstream-&lt;hashPart&gt;.nar…</c> from the upstream that has the path; false (nothing
    /// written) when none has it or none answers in time. A failure after the first byte cuts the response.
    /// </summary>
    public async Task<bool> TrySendNarAsync(HttpContext http, CacheRecord cache, string hashPart, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(cache);
        using var firstByte = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        firstByte.CancelAfter(_timeout);
        if (await lookup.FindAsync(cache, hashPart, firstByte.Token).ConfigureAwait(false) is not { NarUrl: { } narUrl } path)
        {
            return false;
        }
        var response = http.Response;
        if (HttpMethods.IsHead(http.Request.Method))
        {
            response.ContentType = NarContentType;
            response.ContentLength = path.NarInfo.FileSize;
            return true;
        }
        using var upstream = await client.OpenNarAsync(narUrl, firstByte.Token).ConfigureAwait(false);
        metrics.Nar(upstream is null ? UpstreamOutcome.Failed : UpstreamOutcome.Found);
        if (upstream is null)
        {
            return false;
        }
        // The body has the idle timeout of each read, however long the whole NAR takes.
        firstByte.CancelAfter(Timeout.InfiniteTimeSpan);
        response.ContentType = NarContentType;
        response.ContentLength = upstream.Content.Headers.ContentLength;
        try
        {
            var body = new IdleTimeoutStream(await upstream.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false), _timeout);
            await using (body.ConfigureAwait(false))
            {
                if (cache.Upstreams!.Mode == UpstreamMode.Proxy || await metadata.GetPathAsync(cache.Id, hashPart, cancellationToken).ConfigureAwait(false) is not null)
                {
                    await body.CopyToAsync(response.Body, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    await store.SendAndStoreAsync(cache, path, body, response.Body, cancellationToken).ConfigureAwait(false);
                }
            }
        }
        catch (Exception e) when (e is IOException or TimeoutException or HttpRequestException && !cancellationToken.IsCancellationRequested)
        {
            LogCut(logger, narUrl, e.Message);
            if (!response.HasStarted)
            {
                response.ContentLength = null;
                return false;
            }
            http.Abort();
        }
        return true;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "streaming the upstream NAR {Url} failed: {Reason}")]
    private static partial void LogCut(ILogger logger, Uri url, string reason);
}
