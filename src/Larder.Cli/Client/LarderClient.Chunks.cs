using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Larder.Cli.Infrastructure;
using Larder.Contracts.Chunks;
using Larder.Contracts.Push;
using Larder.Nix.Hashing;

namespace Larder.Cli.Client;

public sealed partial class LarderClient
{
    /// <summary>
    /// How the cache's server cuts NARs into chunks (<c>GET /api/v1/caches/{cache}/chunking</c>), or null when it
    /// answers 404: a server without chunk support, which takes whole NARs only. Call it after the cache is known to
    /// exist, so that a 404 can only mean that.
    /// </summary>
    public async Task<ChunkingParameters?> GetChunkingAsync(string cache, CancellationToken cancellationToken)
    {
        var operation = new Operation($"ask cache '{cache}' how it chunks NARs", "read", cache);
        try
        {
            using var response = await SendAsync(
                () => new HttpRequestMessage(HttpMethod.Get, $"{CachePath(cache)}/chunking"), HttpCompletionOption.ResponseContentRead,
                cancellationToken).ConfigureAwait(false);
            return await response.Content.ReadFromJsonAsync(ChunkJsonContext.Default.ChunkingParameters, cancellationToken).ConfigureAwait(false)
                ?? throw new CliException($"{operation.Description}: the server sent an empty answer");
        }
        catch (ApiException e) when (e.Status == HttpStatusCode.NotFound)
        {
            return null;
        }
        catch (Exception e) when (Translate(e, operation) is { } translated)
        {
            throw translated;
        }
    }

    /// <summary>
    /// Of <paramref name="hashes"/> (distinct), those the server does not hold (<c>POST …/chunks/missing</c>, one
    /// request per <paramref name="perRequest"/> hashes).
    /// </summary>
    public async Task<HashSet<NixHash>> FindMissingChunksAsync(
        string cache, IReadOnlyList<NixHash> hashes, int perRequest, CancellationToken cancellationToken)
    {
        var missing = new HashSet<NixHash>();
        var operation = new Operation($"ask cache '{cache}' which chunks it lacks", "write", cache);
        foreach (var batch in hashes.Chunk(perRequest))
        {
            var request = new MissingChunksRequest([.. batch.Select(h => h.ToNix32String())]);
            var answer = await SendJsonAsync(
                () => Json(HttpMethod.Post, $"{CachePath(cache)}/chunks/missing", request, ChunkJsonContext.Default.MissingChunksRequest),
                ChunkJsonContext.Default.MissingChunksResponse, operation, cancellationToken).ConfigureAwait(false);
            foreach (var hash in answer.Missing)
            {
                missing.Add(NixHash.Parse(hash));
            }
        }
        return missing;
    }

    /// <summary>
    /// Uploads one chunk, zstd-compressed (<c>PUT …/chunks/{nix32}</c>); the server checks it against
    /// <paramref name="hash"/>. Retried like any idempotent request.
    /// </summary>
    public Task<ChunkUploadResult> UploadChunkAsync(
        string cache, NixHash hash, ReadOnlyMemory<byte> zstdBody, CancellationToken cancellationToken) =>
        SendJsonAsync(() =>
        {
            var content = new ReadOnlyMemoryContent(zstdBody);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
            content.Headers.ContentEncoding.Add("zstd");
            return new HttpRequestMessage(HttpMethod.Put, $"{CachePath(cache)}/chunks/{hash.ToBase32()}") { Content = content };
        }, ChunkJsonContext.Default.ChunkUploadResult, new Operation($"upload chunk {hash} to cache '{cache}'", "write", cache), cancellationToken);

    /// <summary>
    /// Uploads several chunks in one request (<c>POST …/chunks/packs</c>; <paramref name="body"/> as
    /// <see cref="ChunkPackBody"/> builds it); the server checks each against its hash and stores them as one object.
    /// Retried like any idempotent request (a chunk sent twice is stored once).
    /// </summary>
    public Task<PackUploadResult> UploadPackAsync(string cache, ReadOnlyMemory<byte> body, int chunks, CancellationToken cancellationToken) =>
        SendJsonAsync(() =>
        {
            var content = new ReadOnlyMemoryContent(body);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
            return new HttpRequestMessage(HttpMethod.Post, $"{CachePath(cache)}/chunks/packs") { Content = content };
        }, ChunkJsonContext.Default.PackUploadResult, new Operation($"upload {chunks} chunks to cache '{cache}'", "write", cache), cancellationToken);

    /// <summary>
    /// Publishes a path as its ordered chunk list (<c>POST …/chunked-paths</c>). A 400 is thrown as the
    /// <see cref="ApiException"/> itself, so the caller can tell whether chunks went missing and send them again;
    /// other failures are translated as usual.
    /// </summary>
    public Task<PushResult> CommitChunkedPathAsync(string cache, ChunkedPathRequest request, CancellationToken cancellationToken) =>
        CommitAsync(PushOperation(cache, request.Path?.StorePath ?? "a chunked path"), () => SendAsync(
            () => Json(HttpMethod.Post, $"{CachePath(cache)}/chunked-paths", request, ChunkJsonContext.Default.ChunkedPathRequest),
            HttpCompletionOption.ResponseContentRead, cancellationToken), cancellationToken);

    /// <summary>
    /// Sends <c>POST …/chunked-paths/stream</c> with <paramref name="body"/> (<see cref="StreamedCommit"/>), once: a body
    /// that is produced while it is sent cannot be sent again. A 400 is thrown as is, for the caller to repair.
    /// </summary>
    internal async Task<PushResult> SendStreamedCommitAsync(string cache, string storePath, StreamedCommitContent body, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{CachePath(cache)}/chunked-paths/stream") { Content = body };
        return await CommitAsync(PushOperation(cache, storePath), async () =>
        {
            var response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
            if (response.IsSuccessStatusCode)
            {
                return response;
            }
            using (response)
            {
                throw await ReadErrorAsync(response, cancellationToken).ConfigureAwait(false);
            }
        }, cancellationToken).ConfigureAwait(false);
    }

    // A commit's answer; a 400 is thrown as the ApiException itself, other failures are translated.
    private async Task<PushResult> CommitAsync(Operation operation, Func<Task<HttpResponseMessage>> send, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await send().ConfigureAwait(false);
            return await response.Content.ReadFromJsonAsync(ChunkJsonContext.Default.PushResult, cancellationToken).ConfigureAwait(false)
                ?? throw new CliException($"{operation.Description}: the server sent an empty answer");
        }
        catch (ApiException e) when (e.Status == HttpStatusCode.BadRequest)
        {
            throw;
        }
        catch (Exception e) when (Translate(e, operation) is { } translated)
        {
            throw translated;
        }
    }

    /// <summary>What pushing <paramref name="storePath"/> is called in errors.</summary>
    public static Operation PushOperation(string cache, string storePath) => new($"push {storePath} to cache '{cache}'", "write", cache);
}
