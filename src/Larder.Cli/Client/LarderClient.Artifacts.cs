using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using Larder.Cli.Infrastructure;
using Larder.Contracts.Artifacts;

namespace Larder.Cli.Client;

public sealed partial class LarderClient
{
    /// <summary>
    /// <c>PUT …/artifacts/{key}</c>: uploads the zstd-compressed tar in <paramref name="zstdFile"/>, whose uncompressed
    /// SHA-256 is <paramref name="sha256"/> (the server checks it before recording anything).
    /// </summary>
    public Task<ArtifactDto> SaveArtifactAsync(string cache, string key, string zstdFile, string sha256, CancellationToken cancellationToken) =>
        SendJsonAsync(() =>
        {
            var content = new StreamContent(File.OpenRead(zstdFile), 1 << 16);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/x-tar");
            content.Headers.ContentEncoding.Add("zstd");
            var request = new HttpRequestMessage(HttpMethod.Put, $"{CachePath(cache)}/artifacts/{key}") { Content = content };
            request.Headers.Add(ArtifactHeaders.Sha256, sha256);
            return request;
        }, ArtifactJsonContext.Default.ArtifactDto, new Operation($"save artifact '{key}' to cache '{cache}'", "write", cache), cancellationToken);

    /// <summary>
    /// <c>GET …/artifacts/{key}?fallback=…</c>: the newest archive of the first key that has one (the caller reads and
    /// disposes it), or null when none has.
    /// </summary>
    public async Task<ArtifactDownload?> OpenArtifactAsync(string cache, string key, IReadOnlyList<string> fallbacks, CancellationToken cancellationToken)
    {
        var query = string.Concat(fallbacks.Select((fallback, i) => $"{(i == 0 ? '?' : '&')}fallback={Uri.EscapeDataString(fallback)}"));
        var operation = new Operation($"restore artifact '{key}' from cache '{cache}'", "read", cache);
        HttpResponseMessage response;
        try
        {
            response = await SendAsync(
                () => new HttpRequestMessage(HttpMethod.Get, $"{CachePath(cache)}/artifacts/{key}{query}"), HttpCompletionOption.ResponseHeadersRead,
                cancellationToken).ConfigureAwait(false);
        }
        catch (ApiException e) when (e.Status == HttpStatusCode.NotFound && e.Code == ArtifactHeaders.MissingCode)
        {
            return null;
        }
        catch (Exception e) when (Translate(e, operation) is { } translated)
        {
            throw translated;
        }
        try
        {
            string Header(string name) => response.Headers.TryGetValues(name, out var values) ? values.First()
                : throw new CliException($"{operation.Description}: the server's answer has no {name} header");
            var size = long.Parse(Header(ArtifactHeaders.Size), NumberStyles.None, CultureInfo.InvariantCulture);
            var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            return new ArtifactDownload(Header(ArtifactHeaders.Key), Header(ArtifactHeaders.Sha256), size, body, response);
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    /// <summary><c>GET …/artifacts</c>: every stored upload of the cache.</summary>
    public Task<ArtifactListDto> ListArtifactsAsync(string cache, CancellationToken cancellationToken) =>
        SendJsonAsync(() => new HttpRequestMessage(HttpMethod.Get, $"{CachePath(cache)}/artifacts"), ArtifactJsonContext.Default.ArtifactListDto,
            new Operation($"list the artifacts of cache '{cache}'", "read", cache), cancellationToken);

    /// <summary><c>DELETE …/artifacts/{key}</c>: every upload under the key.</summary>
    public Task DeleteArtifactAsync(string cache, string key, CancellationToken cancellationToken) =>
        SendNoContentAsync(() => new HttpRequestMessage(HttpMethod.Delete, $"{CachePath(cache)}/artifacts/{key}"),
            new Operation($"delete artifact '{key}' from cache '{cache}'", "delete", cache, NotFoundHint: "list the keys with `larder artifact list`"),
            cancellationToken);

    /// <summary><c>GET …/artifact-retention</c>.</summary>
    public Task<ArtifactRetentionDto> GetArtifactRetentionAsync(string cache, CancellationToken cancellationToken) =>
        SendJsonAsync(() => new HttpRequestMessage(HttpMethod.Get, $"{CachePath(cache)}/artifact-retention"), ArtifactJsonContext.Default.ArtifactRetentionDto,
            new Operation($"read the artifact retention of cache '{cache}'", "read", cache), cancellationToken);

    /// <summary><c>PUT …/artifact-retention</c>.</summary>
    public Task<ArtifactRetentionDto> SetArtifactRetentionAsync(string cache, ArtifactRetentionDto retention, CancellationToken cancellationToken) =>
        SendJsonAsync(() => Json(HttpMethod.Put, $"{CachePath(cache)}/artifact-retention", retention, ArtifactJsonContext.Default.ArtifactRetentionDto),
            ArtifactJsonContext.Default.ArtifactRetentionDto, new Operation($"set the artifact retention of cache '{cache}'", "admin", cache), cancellationToken);
}
