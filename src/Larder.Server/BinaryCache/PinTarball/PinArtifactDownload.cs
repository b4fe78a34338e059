using Larder.Nix.Compression;
using Larder.Nix.Nar;
using Larder.Server.Errors;
using Larder.Server.Metadata;
using Larder.Server.Storage.Chunks;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace Larder.Server.BinaryCache.PinTarball;

/// <summary>
/// <c>GET /&lt;cache&gt;/pins/&lt;name&gt;/artifact</c>: the file the pin's current revision names inside its path,
/// streamed out of the stored NAR (chunks → zstd → NAR parser, nothing held in memory). The artifact path was checked
/// when the pin was set (relative, no <c>.</c>/<c>..</c>), and it is matched against the archive's own entry paths, so
/// it can name nothing outside the pinned path; a symlink is not followed.
/// </summary>
public sealed class PinArtifactDownload(IMetadataStore metadata, ChunkStore chunks)
{
    private const int BufferSize = 1 << 16;

    /// <summary>Sends the artifact of pin <paramref name="name"/>; 404 naming the file when the pin has none or the path lacks it.</summary>
    public async Task<IResult> SendAsync(HttpContext http, CacheRecord cache, string name)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(cache);
        var ct = http.RequestAborted;
        CacheHeaders.None(http.Response);
        var pin = await metadata.GetPinAsync(cache.Id, name, ct).ConfigureAwait(false)
            ?? throw new NotFoundException($"cache '{cache.Name}' has no pin named '{name}'");
        var revision = pin.Current;
        var artifact = revision.Artifact ?? throw new NotFoundException($"pin '{name}' of cache '{cache.Name}' names no artifact (set one with --artifact)");
        var hashPart = revision.StorePath[(revision.StorePath.LastIndexOf('/') + 1)..][..32];
        var stored = await metadata.GetPathAsync(cache.Id, hashPart, ct).ConfigureAwait(false)
            ?? throw new NotFoundException($"cache '{cache.Name}' no longer holds {revision.StorePath}, which pin '{name}' names");
        var visitor = new ArtifactVisitor(artifact, (file, token) => SendFileAsync(http, artifact, file, token));
        var nar = new StoredChunksStream(chunks, stored.Nar.Chunks);
        await using (nar.ConfigureAwait(false))
        {
            var decompressed = Codecs.Decompress(nar, CompressionKind.Zstd, leaveOpen: true);
            await using (decompressed.ConfigureAwait(false))
            {
                try
                {
                    await NarParser.ParseAsync(decompressed, visitor, ct).ConfigureAwait(false);
                }
                catch (ArtifactSentException)
                {
                    return Results.Empty;
                }
            }
        }
        throw new NotFoundException($"{revision.StorePath} (pin '{name}') has no regular file {artifact}{visitor.Found}");
    }

    private static async ValueTask SendFileAsync(HttpContext http, string artifact, NarFile file, CancellationToken ct)
    {
        var response = http.Response;
        response.ContentType = "application/octet-stream";
        response.ContentLength = file.Size;
        response.Headers[HeaderNames.ContentDisposition] = new ContentDispositionHeaderValue("attachment")
        {
            FileNameStar = artifact[(artifact.LastIndexOf('/') + 1)..],
        }.ToString();
        if (!HttpMethods.IsHead(http.Request.Method))
        {
            await file.Contents.CopyToAsync(response.Body, BufferSize, ct).ConfigureAwait(false);
        }
    }

    /// <summary>Hands the regular file at the artifact path to the sender, then stops the parse (the rest of the NAR is not needed).</summary>
    private sealed class ArtifactVisitor(string artifact, Func<NarFile, CancellationToken, ValueTask> send) : INarVisitor
    {
        /// <summary>What the archive holds at the artifact path instead of a file, for the 404 (empty when nothing).</summary>
        public string Found { get; private set; } = "";

        public ValueTask DirectoryStartAsync(NarNode node, CancellationToken cancellationToken)
        {
            if (node.Path == artifact)
            {
                Found = ": it is a directory";
            }
            return ValueTask.CompletedTask;
        }

        public ValueTask DirectoryEndAsync(NarNode node, CancellationToken cancellationToken) => ValueTask.CompletedTask;

        public async ValueTask FileAsync(NarNode node, NarFile file, CancellationToken cancellationToken)
        {
            if (node.Path == artifact)
            {
                await send(file, cancellationToken).ConfigureAwait(false);
                throw new ArtifactSentException();
            }
        }

        public ValueTask SymlinkAsync(NarNode node, string target, CancellationToken cancellationToken)
        {
            if (node.Path == artifact)
            {
                Found = $": it is a symlink to {target} (name the file it points to)";
            }
            return ValueTask.CompletedTask;
        }
    }

    /// <summary>Ends the parse once the artifact was sent.</summary>
    private sealed class ArtifactSentException : Exception;
}
