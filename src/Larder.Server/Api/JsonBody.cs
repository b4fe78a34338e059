using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Larder.Server.Errors;
using Microsoft.AspNetCore.Http;

namespace Larder.Server.Api;

/// <summary>
/// Reads an API endpoint's JSON body inside its handler rather than by parameter binding: binding runs before the
/// endpoint's access filter, so a caller without access would learn that its body was malformed (400) before being
/// told it may not call the endpoint (401/403). The body's size is capped by the endpoint's <see cref="ApiBodyLimit"/>.
/// </summary>
internal static class JsonBody
{
    /// <summary>The body as <typeparamref name="T"/>; 415 for another content type, 400 naming what is not valid JSON.</summary>
    public static async Task<T> ReadAsync<T>(HttpContext http, JsonTypeInfo<T> type, CancellationToken cancellationToken)
    {
        if (!http.Request.HasJsonContentType())
        {
            throw new UnsupportedMediaTypeException($"unsupported content type '{http.Request.ContentType}': send application/json");
        }
        try
        {
            return await JsonSerializer.DeserializeAsync(http.Request.Body, type, cancellationToken).ConfigureAwait(false)
                ?? throw new InvalidRequestException("invalid JSON body: it is null");
        }
        catch (JsonException e)
        {
            throw new InvalidRequestException($"invalid JSON body: {e.Message}");
        }
    }
}
