using Larder.Nix.Compression;
using Larder.Nix.Hashing;
using Larder.Server.Configuration;
using Larder.Nix.Streams;
using Larder.Server.Errors;
using Larder.Server.Metadata;
using Larder.Server.Storage;
using Microsoft.Extensions.Options;

namespace Larder.Server.Ingest;

/// <summary>
/// Stores build logs (<c>PUT log/&lt;drv&gt;</c>): decoded from the upload's Content-Encoding, kept as plain text under
/// a fresh key (<see cref="FreshBlobKeys.Log"/>, its intent recorded first), then recorded for the cache and
/// derivation (which queues the log it replaces for deletion).
/// </summary>
public sealed class BuildLogStore(IBlobStore blobs, IMetadataStore metadata, StagingArea staging, IOptions<LarderOptions> options, TimeProvider time)
{
    private const int BufferSize = 1 << 16;

    /// <summary>Stores <paramref name="body"/> (compressed with <paramref name="encoding"/>) as the log of <paramref name="drvName"/>.</summary>
    public async Task PutAsync(CacheRecord cache, string drvName, Stream body, CompressionKind encoding, long maxBytes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(cache);
        string file = staging.NewFilePath(".log");
        try
        {
            NixHash hash;
            await using (var output = new FileStream(file, FileMode.CreateNew, FileAccess.Write, FileShare.None, BufferSize, FileOptions.Asynchronous))
            {
                await using var hashed = new HashingStream(output, HashKind.Sha256, leaveOpen: true);
                var text = Codecs.DecompressBounded(body, encoding, maxBytes, "the build log", "the uncompressed build log", leaveOpen: true);
                await using (text.ConfigureAwait(false))
                {
                    try
                    {
                        await text.CopyToAsync(hashed, BufferSize, cancellationToken).ConfigureAwait(false);
                    }
                    catch (CompressionException e)
                    {
                        throw new InvalidRequestException(
                            $"the build log is not valid {CompressionNames.ToNixName(encoding)} data: {e.Reason}", e);
                    }
                }
                hash = hashed.GetHash();
            }
            string key = FreshBlobKeys.Log(hash);
            await metadata.RecordBlobIntentsAsync([key], time.GetUtcNow() + options.Value.Maintenance.StagedUploadTtl, cancellationToken)
                .ConfigureAwait(false);
            await blobs.PutFileAsync(key, file, cancellationToken).ConfigureAwait(false);
            await metadata.PutBuildLogAsync(cache.Id, drvName, key, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            StagingArea.TryDelete(file);
        }
    }
}
