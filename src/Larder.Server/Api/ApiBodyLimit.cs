using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Larder.Server.Api;

/// <summary>
/// Endpoint metadata: the largest request body this endpoint accepts. JSON bodies are buffered while they are parsed,
/// so the API's JSON endpoints take at most <see cref="JsonDefault"/> instead of the upload limit.
/// </summary>
public sealed record ApiBodyLimit(long MaxBytes)
{
    /// <summary>The limit for JSON request bodies (1 MiB).</summary>
    public const long JsonDefault = 1L << 20;

    /// <summary>Applies the limit of the matched endpoint, if it has one, before its body is read.</summary>
    public static RequestDelegate Middleware(RequestDelegate next) => http =>
    {
        if (http.GetEndpoint()?.Metadata.GetMetadata<ApiBodyLimit>() is { } limit
            && http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } feature
            && (feature.MaxRequestBodySize is null || feature.MaxRequestBodySize > limit.MaxBytes))
        {
            feature.MaxRequestBodySize = limit.MaxBytes;
        }
        return next(http);
    };
}

/// <summary>Attaches <see cref="ApiBodyLimit"/> to endpoints.</summary>
public static class ApiBodyLimitExtensions
{
    /// <summary>Limits request bodies of these endpoints to <paramref name="maxBytes"/> (default 1 MiB).</summary>
    public static TBuilder WithBodyLimit<TBuilder>(this TBuilder builder, long maxBytes = ApiBodyLimit.JsonDefault)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new ApiBodyLimit(maxBytes));
}
