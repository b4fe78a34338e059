using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Larder.Contracts.Push;

namespace Larder.Cli.Client;

public sealed partial class LarderClient
{
    /// <summary>Hash parts per <c>missing</c> request: large enough that 10,000 paths take one round trip.</summary>
    public const int MissingBatchSize = 10_000;

    /// <summary>
    /// Of <paramref name="hashParts"/>, those the cache does not hold (<c>POST /api/v1/caches/{cache}/missing</c> in
    /// batches of <see cref="MissingBatchSize"/>).
    /// </summary>
    public async Task<HashSet<string>> FindMissingAsync(string cache, IReadOnlyList<string> hashParts, CancellationToken cancellationToken)
    {
        var missing = new HashSet<string>(StringComparer.Ordinal);
        var operation = new Operation($"query cache '{cache}'", "read", cache);
        for (var start = 0; start < hashParts.Count; start += MissingBatchSize)
        {
            var batch = new MissingPathsRequest(hashParts.Skip(start).Take(MissingBatchSize).ToArray());
            var answer = await SendJsonAsync(
                () => Json(HttpMethod.Post, $"{CachePath(cache)}/missing", batch, PushJsonContext.Default.MissingPathsRequest),
                PushJsonContext.Default.MissingPathsResponse, operation, cancellationToken).ConfigureAwait(false);
            missing.UnionWith(answer.Missing);
        }
        return missing;
    }

    /// <summary>
    /// Uploads one path in one request (<c>PUT /api/v1/caches/{cache}/upload</c>). <paramref name="makeBody"/> is
    /// called for every attempt and must produce the NAR afresh, compressed as <paramref name="compression"/>.
    /// </summary>
    public Task<PushResult> UploadAsync(
        string cache, PushPathMetadata metadata, string compression, Func<HttpContent> makeBody, CancellationToken cancellationToken)
    {
        var header = EncodePathInfo(metadata);
        return SendJsonAsync(() =>
        {
            var request = new HttpRequestMessage(HttpMethod.Put, $"{CachePath(cache)}/upload") { Content = makeBody() };
            request.Headers.TryAddWithoutValidation(PushProtocol.PathInfoHeader, header);
            SetEncoding(request.Content, compression);
            return request;
        }, PushJsonContext.Default.PushResult, new Operation($"push {metadata.StorePath} to cache '{cache}'", "write", cache), cancellationToken);
    }

    /// <summary>Starts a resumable upload (<c>POST /api/v1/caches/{cache}/uploads</c>).</summary>
    public Task<UploadSessionInfo> CreateUploadAsync(string cache, CreateUploadRequest request, CancellationToken cancellationToken) =>
        SendJsonAsync(() => Json(HttpMethod.Post, $"{CachePath(cache)}/uploads", request, PushJsonContext.Default.CreateUploadRequest),
            PushJsonContext.Default.UploadSessionInfo, new Operation($"push {request.Path.StorePath} to cache '{cache}'", "write", cache),
            cancellationToken);

    /// <summary>How much of a resumable upload the server holds (<c>GET …/uploads/{id}</c>).</summary>
    public Task<UploadSessionInfo> GetUploadAsync(string cache, string id, CancellationToken cancellationToken) =>
        SendJsonAsync(() => new HttpRequestMessage(HttpMethod.Get, $"{CachePath(cache)}/uploads/{Uri.EscapeDataString(id)}"),
            PushJsonContext.Default.UploadSessionInfo, new Operation($"resume upload {id} to cache '{cache}'", "write", cache), cancellationToken);

    /// <summary>
    /// Appends one part at <paramref name="offset"/> (<c>PATCH …/uploads/{id}</c> with <c>Upload-Offset</c>). Not retried
    /// here: the body is a one-shot stream, so the caller asks <see cref="GetUploadAsync"/> where to resume.
    /// </summary>
    public async Task<UploadSessionInfo> AppendUploadAsync(string cache, string id, long offset, HttpContent part, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Patch, $"{CachePath(cache)}/uploads/{Uri.EscapeDataString(id)}") { Content = part };
        request.Headers.TryAddWithoutValidation(PushProtocol.UploadOffsetHeader, offset.ToString(System.Globalization.CultureInfo.InvariantCulture));
        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw await ReadErrorAsync(response, cancellationToken).ConfigureAwait(false);
        }
        return await JsonSerializer.DeserializeAsync(
            await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false),
            PushJsonContext.Default.UploadSessionInfo, cancellationToken).ConfigureAwait(false)
            ?? throw new ApiException(HttpStatusCode.BadGateway, "empty answer to an upload part", null);
    }

    /// <summary>Verifies and commits a resumable upload (<c>POST …/uploads/{id}/complete</c>).</summary>
    public Task<PushResult> CompleteUploadAsync(string cache, string id, string storePath, CancellationToken cancellationToken) =>
        SendJsonAsync(() => new HttpRequestMessage(HttpMethod.Post, $"{CachePath(cache)}/uploads/{Uri.EscapeDataString(id)}/complete"),
            PushJsonContext.Default.PushResult, new Operation($"push {storePath} to cache '{cache}'", "write", cache), cancellationToken);

    /// <summary>Abandons a resumable upload (<c>DELETE …/uploads/{id}</c>); failures are ignored (the server expires it anyway).</summary>
    public async Task TryAbortUploadAsync(string cache, string id)
    {
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Delete, $"{CachePath(cache)}/uploads/{Uri.EscapeDataString(id)}");
            using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            using var response = await _http.SendAsync(request, cancel.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException)
        {
        }
    }

    /// <summary>The metadata as it travels in <see cref="PushProtocol.PathInfoHeader"/>: base64url of its JSON.</summary>
    public static string EncodePathInfo(PushPathMetadata metadata) =>
        Convert.ToBase64String(JsonSerializer.SerializeToUtf8Bytes(metadata, PushJsonContext.Default.PushPathMetadata))
            .TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static void SetEncoding(HttpContent content, string compression)
    {
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-nix-nar");
        if (compression == "zstd")
        {
            content.Headers.ContentEncoding.Add("zstd");
        }
    }
}
