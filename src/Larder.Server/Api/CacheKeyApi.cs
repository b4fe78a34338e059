using System.Globalization;
using Larder.Contracts;
using Larder.Contracts.Caches;
using Larder.Nix.Signing;
using Larder.Server.Access;
using Larder.Server.Errors;
using Larder.Server.Ingest;
using Larder.Server.Metadata;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Larder.Server.Api;

/// <summary>
/// <c>PUT /api/v1/caches/{name}/signing-key</c> (admin on the cache): imports a secret key or generates the next one
/// (<c>NAME-&lt;n+1&gt;</c>), then re-signs every path of the cache. Only the public key is ever answered.
/// </summary>
public static class CacheKeyApi
{
    /// <summary>Maps the signing-key endpoint.</summary>
    public static IEndpointRouteBuilder MapCacheKeyApi(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapGroup("/api/v1/caches").WithTags("Caches").WithBodyLimit()
            .MapPut("/{cache}/signing-key", ReplaceAsync)
            .WithSummary("Import or generate the cache's signing key and re-sign its paths; answers the new public key")
            .Accepts<SigningKeyRequest>("application/json")
            .RequireCachePermission(Permission.Admin);
        return app;
    }

    private static async Task<Ok<SigningKeyDto>> ReplaceAsync(
        HttpContext http, CacheKeyRotation rotation, CancellationToken cancellationToken)
    {
        var request = await JsonBody.ReadAsync(http, LarderJsonContext.Default.SigningKeyRequest, cancellationToken).ConfigureAwait(false);
        var cache = http.Access().Cache;
        var key = (request.SecretKey, request.Generate) switch
        {
            ({ } text, null or false) => ParseSecretKey(text),
            (null, true) => SecretKey.Generate(NextKeyName(cache.Name, SecretKey.Parse(cache.SigningKey).Name)),
            _ => throw new InvalidRequestException("give either \"secretKey\": \"name:base64\" or \"generate\": true"),
        };
        var resigned = await rotation.ReplaceAsync(cache, key, cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok(new SigningKeyDto(key.PublicKey.ToString(), resigned));
    }

    private static SecretKey ParseSecretKey(string text)
    {
        try
        {
            return SecretKey.Parse(text);
        }
        catch (KeyFormatException e)
        {
            // The message names the problem and the key name, never the key data.
            throw new InvalidRequestException($"invalid secretKey: {e.Message}");
        }
    }

    /// <summary><c>NAME-&lt;n+1&gt;</c> after a key named <c>NAME-&lt;n&gt;</c>; <c>NAME-2</c> after any other name.</summary>
    internal static string NextKeyName(string cacheName, string currentName)
    {
        var prefix = cacheName + "-";
        var number = currentName.StartsWith(prefix, StringComparison.Ordinal)
            && int.TryParse(currentName.AsSpan(prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 1;
        return string.Create(CultureInfo.InvariantCulture, $"{prefix}{number + 1}");
    }
}
