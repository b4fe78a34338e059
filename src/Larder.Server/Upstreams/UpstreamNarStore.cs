using Larder.Nix.Hashing;
using Larder.Nix.Streams;
using Larder.Server.Configuration;
using Larder.Server.Errors;
using Larder.Server.Ingest;
using Larder.Server.Metadata;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Larder.Server.Upstreams;

/// <summary>
/// Store mode's stream-through: the upstream's NAR bytes go to the client as they arrive and, in the same pass, through
/// <see cref="NarIngestor"/> (decompressed, parsed, hashed, chunked, stored). The path is published, with its origin,
/// only when the NAR matches the upstream's narinfo (NarHash, NarSize, FileHash, FileSize); otherwise nothing becomes
/// visible and the chunks stored meanwhile are reaped. Its references need not be in the cache: they are upstream
/// references, which read-through serves too.
/// </summary>
internal sealed partial class UpstreamNarStore(
    NarIngestor ingestor, PathPublisher publisher, IOptions<LarderOptions> options, TimeProvider time, ILogger<UpstreamNarStore> logger)
{
    /// <summary>Copies <paramref name="upstreamBody"/> to <paramref name="client"/> while storing it as <paramref name="path"/>'s NAR.</summary>
    public async Task SendAndStoreAsync(CacheRecord cache, UpstreamPath path, Stream upstreamBody, Stream client, CancellationToken cancellationToken)
    {
        var info = path.NarInfo;
        IngestedNar nar;
        try
        {
            nar = await ingestor.IngestAsync(
                new TeeReadStream(upstreamBody, client), path.Compression, options.Value.MaxUploadBytes,
                info.FileHash is { Kind: HashKind.Sha256 } fileHash ? fileHash : null, cancellationToken).ConfigureAwait(false);
        }
        catch (LarderException e) when (!e.IsServerFault)
        {
            LogNotStored(logger, info.StorePath.FullPath, path.Upstream, e.Message);
            // The client has a prefix of bad bytes: cut the response rather than let it end cleanly.
            throw new IOException($"the NAR of {info.StorePath.FullPath} from {path.Upstream} is invalid: {e.Message}", e);
        }
        try
        {
            var hashPart = info.StorePath.HashPart;
            var request = PublishRequest.Create(
                cache, info.StorePath, info.NarHash, info.NarSize, info.FileHash, info.FileSize, info.References, info.Deriver,
                info.Signatures, info.Ca, upstreamReferences: [.. info.References.Where(r => !r.StartsWith(hashPart, StringComparison.Ordinal))])
                with { Origin = path.Upstream };
            var received = new PublishedNar(nar.ToNarRecord(time.GetUtcNow()), NixHash.Parse(nar.UploadFileHash), nar.UploadFileSize);
            await publisher.PublishAsync(cache, request, received, tokenId: null, cancellationToken).ConfigureAwait(false);
        }
        catch (LarderException e)
        {
            // The client has every byte and checks the NarHash itself; only this cache refuses to keep the path.
            LogNotStored(logger, info.StorePath.FullPath, path.Upstream, e.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{StorePath} from upstream {Upstream} is not stored: {Reason}")]
    private static partial void LogNotStored(ILogger logger, string storePath, string upstream, string reason);
}
