using System.Text;
using Larder.Nix.Compression;
using Larder.Server.Errors;
using Larder.Server.Ingest;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Net.Http.Headers;

namespace Larder.Server.BinaryCache;

/// <summary>Reading request bodies of the write side: limits, and Nix's optional <c>Content-Encoding</c>.</summary>
internal static class RequestBodies
{
    /// <summary>Narinfos and cache info are small; anything bigger is not one.</summary>
    public const long SmallBodyLimit = 4L << 20;

    /// <summary>
    /// Lifts Kestrel's own body limit for this request (the caller enforces <paramref name="limit"/> while streaming,
    /// with a clear message) and refuses at once a body that announces a larger Content-Length.
    /// </summary>
    public static void PrepareLimit(HttpContext http, long limit, string what)
    {
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } feature)
        {
            feature.MaxRequestBodySize = null;
        }
        if (http.Request.ContentLength is { } length && length > limit)
        {
            throw new PayloadTooLargeException($"{what} of {length} bytes is larger than the limit of {limit} bytes");
        }
    }

    /// <summary>The compression named by the request's <c>Content-Encoding</c> (none when absent).</summary>
    public static CompressionKind ContentEncoding(HttpRequest request)
    {
        string? encoding = request.Headers[HeaderNames.ContentEncoding];
        if (string.IsNullOrWhiteSpace(encoding) || encoding.Equals("identity", StringComparison.OrdinalIgnoreCase))
        {
            return CompressionKind.None;
        }
        return CompressionNames.TryParse(encoding.Trim().ToLowerInvariant(), out var kind)
            ? kind
            : throw new UnsupportedMediaTypeException(
                $"unsupported Content-Encoding '{encoding}' (expected one of {string.Join(", ", CompressionNames.AcceptedNames)})");
    }

    /// <summary>Reads a small text body (decoded per Content-Encoding), at most <see cref="SmallBodyLimit"/> bytes either way.</summary>
    public static async Task<string> ReadTextAsync(HttpContext http, string what)
    {
        PrepareLimit(http, SmallBodyLimit, what);
        var ct = http.RequestAborted;
        var kind = ContentEncoding(http.Request);
        var text = Codecs.DecompressBounded(http.Request.Body, kind, SmallBodyLimit, what, what, leaveOpen: true);
        await using (text.ConfigureAwait(false))
        {
            using var reader = new StreamReader(text, new UTF8Encoding(false, throwOnInvalidBytes: true), false, 4096, leaveOpen: true);
            try
            {
                return await reader.ReadToEndAsync(ct).ConfigureAwait(false);
            }
            catch (DecoderFallbackException)
            {
                throw new InvalidRequestException($"{what} is not valid UTF-8");
            }
            catch (CompressionException e)
            {
                throw new InvalidRequestException($"{what} is not valid {CompressionNames.ToNixName(kind)} data: {e.Reason}", e);
            }
        }
    }
}
