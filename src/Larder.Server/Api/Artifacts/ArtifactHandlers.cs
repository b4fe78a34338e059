using System.Globalization;
using Larder.Contracts;
using Larder.Contracts.Artifacts;
using Larder.Nix.Compression;
using Larder.Server.Access;
using Larder.Server.Artifacts;
using Larder.Server.BinaryCache;
using Larder.Server.Configuration;
using Larder.Server.Errors;
using Larder.Server.Metadata;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace Larder.Server.Api.Artifacts;

/// <summary>Request handlers behind <see cref="ArtifactApi"/>; the access filter has checked the permission on the cache.</summary>
internal sealed class ArtifactHandlers(ArtifactStore artifacts, IMetadataStore metadata, IOptions<LarderOptions> options)
{
    /// <summary>Most fallback keys one restore may name.</summary>
    public const int MaxFallbacks = 16;

    public async Task<IResult> SaveAsync(HttpContext http, string key)
    {
        var cache = http.Access().Cache;
        ValidateKey(key);
        var sha256 = ReadSha256(http.Request);
        var encoding = RequestBodies.ContentEncoding(http.Request);
        if (encoding is not (CompressionKind.None or CompressionKind.Zstd))
        {
            throw new UnsupportedMediaTypeException($"an archive must be uploaded plain or as zstd, not {CompressionNames.ToNixName(encoding)}");
        }
        RequestBodies.PrepareLimit(http, options.Value.MaxUploadBytes, "the archive upload");
        var saved = await artifacts.SaveAsync(cache, key, http.Request.Body, encoding, sha256, http.RequestAborted).ConfigureAwait(false);
        return Results.Json(ToDto(saved), ArtifactJsonContext.Default.ArtifactDto, statusCode: StatusCodes.Status201Created);
    }

    public async Task<IResult> RestoreAsync(HttpContext http, string key)
    {
        var cache = http.Access().Cache;
        var fallbacks = http.Request.Query["fallback"];
        if (fallbacks.Count > MaxFallbacks)
        {
            throw new InvalidRequestException($"{fallbacks.Count} fallback keys; at most {MaxFallbacks} are allowed");
        }
        List<string> keys = [key, .. fallbacks.Select(fallback => fallback ?? "")];
        foreach (var candidate in keys)
        {
            ValidateKey(candidate);
        }
        keys = [.. keys.Distinct(StringComparer.Ordinal)];
        if (await artifacts.FindAsync(cache, keys, http.RequestAborted).ConfigureAwait(false) is not { } artifact)
        {
            var message = $"cache '{cache.Name}' has no archive under {string.Join(", ", keys.Select(k => $"'{k}'"))}";
            return Results.Json(new ErrorDto(message, ArtifactHeaders.MissingCode), LarderJsonContext.Default.ErrorDto, statusCode: StatusCodes.Status404NotFound);
        }
        var headers = http.Response.Headers;
        headers[ArtifactHeaders.Key] = artifact.Key;
        headers[ArtifactHeaders.Sha256] = artifact.Sha256;
        headers[ArtifactHeaders.Size] = artifact.Size.ToString(CultureInfo.InvariantCulture);
        headers[HeaderNames.ContentEncoding] = "zstd";
        headers.CacheControl = "no-store";
        http.Response.ContentLength = artifact.StoredSize;
        return Results.Stream(artifacts.OpenStored(artifact), "application/x-tar");
    }

    public async Task<IResult> ListAsync(HttpContext http)
    {
        var cache = http.Access().Cache;
        var stored = await metadata.ListArtifactsAsync(cache.Id, http.RequestAborted).ConfigureAwait(false);
        return Results.Json(new ArtifactListDto([.. stored.Select(ToDto)]), ArtifactJsonContext.Default.ArtifactListDto);
    }

    public async Task<IResult> DeleteAsync(HttpContext http, string key)
    {
        var cache = http.Access().Cache;
        ValidateKey(key);
        if (await metadata.DeleteArtifactsAsync(cache.Id, key, http.RequestAborted).ConfigureAwait(false) == 0)
        {
            throw new NotFoundException($"cache '{cache.Name}' has no archive under '{key}'");
        }
        return Results.NoContent();
    }

    public async Task<IResult> GetRetentionAsync(HttpContext http)
    {
        var cache = http.Access().Cache;
        var own = await metadata.GetArtifactRetentionAsync(cache.Id, http.RequestAborted).ConfigureAwait(false);
        return Results.Json(ArtifactRetention.ToDto(own, options.Value.Artifacts), ArtifactJsonContext.Default.ArtifactRetentionDto);
    }

    public async Task<IResult> SetRetentionAsync(HttpContext http)
    {
        var cache = http.Access().Cache;
        var request = await JsonBody.ReadAsync(http, ArtifactJsonContext.Default.ArtifactRetentionDto, http.RequestAborted).ConfigureAwait(false);
        var own = ArtifactRetention.FromDto(request);
        await metadata.SetArtifactRetentionAsync(cache.Id, own, http.RequestAborted).ConfigureAwait(false);
        await artifacts.PruneAsync(cache.Id, http.RequestAborted).ConfigureAwait(false);
        return Results.Json(ArtifactRetention.ToDto(own, options.Value.Artifacts), ArtifactJsonContext.Default.ArtifactRetentionDto);
    }

    private static void ValidateKey(string key)
    {
        if (ArtifactKeys.Problem(key) is { } problem)
        {
            throw new InvalidRequestException(problem);
        }
    }

    /// <summary>The announced SHA-256, 64 lower- or upper-case hex digits (returned lower-case).</summary>
    private static string ReadSha256(HttpRequest request)
    {
        string? value = request.Headers[ArtifactHeaders.Sha256];
        if (string.IsNullOrEmpty(value))
        {
            throw new InvalidRequestException($"the archive upload has no {ArtifactHeaders.Sha256} header (the SHA-256 of the uncompressed archive, in hex)");
        }
        if (value.Length != 64 || !value.All(char.IsAsciiHexDigit))
        {
            throw new InvalidRequestException($"{ArtifactHeaders.Sha256} must be 64 hex digits, not '{value}'");
        }
        return value.ToLowerInvariant();
    }

    private static ArtifactDto ToDto(ArtifactRecord artifact) =>
        new(artifact.Key, artifact.Sha256, artifact.Size, artifact.StoredSize, artifact.CreatedAt, artifact.LastUsedAt);
}
