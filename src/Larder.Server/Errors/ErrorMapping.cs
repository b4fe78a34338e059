using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Larder.Contracts;
using Larder.Nix.Streams;
using Larder.Server.Access;
using Larder.Server.Metadata;
using Larder.Server.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Larder.Server.Errors;

/// <summary>
/// The one place where exceptions become HTTP responses: each <see cref="LarderException"/> with the status of its
/// <see cref="ErrorKind"/>, the stores' own failures as the domain errors they are (<see cref="MetadataUnavailableException"/>
/// as <see cref="UnavailableException"/>, <see cref="BlobNotFoundException"/> as <see cref="StoredDataMissingException"/>),
/// malformed requests and oversized bodies (<see cref="BadHttpRequestException"/>) as their 4xx, a full file system as
/// 507. Server faults are logged with their details; the client gets only <see cref="LarderException.ClientMessage"/>.
/// Under <c>/api/</c> the body is <see cref="ErrorDto"/> JSON, elsewhere (Nix's protocol) plain text.
/// </summary>
public sealed partial class ErrorMapping(RequestDelegate next, ILogger<ErrorMapping> logger)
{
    /// <summary>Messages quote names with '; keep them readable rather than \u0027-escaped.</summary>
    private static readonly JsonTypeInfo<ErrorDto> ErrorJson = (JsonTypeInfo<ErrorDto>)new JsonSerializerOptions(LarderJsonContext.Default.Options)
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    }.GetTypeInfo(typeof(ErrorDto));

    public async Task InvokeAsync(HttpContext http)
    {
        try
        {
            await next(http).ConfigureAwait(false);
            if (IsBareApiError(http))
            {
                // Routing's own 404/405/415 have no body; give API clients the same JSON shape as every other error.
                await WriteAsync(http, http.Response.StatusCode, DescribeBareStatus(http)).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (Describe(e) is { } error)
        {
            if (error.Status >= 500)
            {
                LogServerError(logger, http.Request.Method, http.Request.Path, e);
            }
            if (http.Response.HasStarted)
            {
                // Too late for a status line: cut the connection so the client sees a truncated response.
                http.Abort();
                return;
            }
            await WriteAsync(http, error.Status, error.Message, (e as Access.RateLimiting.TooManyFailuresException)?.RetryAfter).ConfigureAwait(false);
        }
    }

    /// <summary>Writes an error response in the form the path calls for; no cache may keep it.</summary>
    public static async Task WriteAsync(HttpContext http, int status, string message, TimeSpan? retryAfter = null)
    {
        http.Response.Clear();
        http.Response.StatusCode = status;
        http.Response.Headers.CacheControl = "no-store";
        if (retryAfter is { } wait)
        {
            http.Response.Headers.RetryAfter = ((long)Math.Ceiling(wait.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        if (status == StatusCodes.Status401Unauthorized)
        {
            http.Response.Headers[CacheAccess.ChallengeHeader] = CacheAccess.Challenge;
        }
        if (http.Request.Path.StartsWithSegments("/api", StringComparison.Ordinal))
        {
            http.Response.ContentType = "application/json; charset=utf-8";
            var body = new ErrorDto(message, CodeFor(status));
            await JsonSerializer.SerializeAsync(http.Response.Body, body, ErrorJson, http.RequestAborted)
                .ConfigureAwait(false);
        }
        else
        {
            http.Response.ContentType = "text/plain; charset=utf-8";
            await http.Response.WriteAsync(message + "\n", http.RequestAborted).ConfigureAwait(false);
        }
    }

    /// <summary>The <see cref="ErrorDto.Code"/> for a status: the camel-cased <see cref="ErrorKind"/> name.</summary>
    public static string CodeFor(int status) => status switch
    {
        400 => "badRequest",
        401 => "unauthorized",
        403 => "forbidden",
        404 => "notFound",
        405 => "methodNotAllowed",
        409 => "conflict",
        413 => "payloadTooLarge",
        415 => "unsupportedMediaType",
        429 => "tooManyRequests",
        503 => "unavailable",
        507 => "insufficientStorage",
        >= 500 => "internalError",
        _ => "error",
    };

    /// <summary>The HTTP status of a domain error.</summary>
    public static int StatusFor(ErrorKind kind) => kind switch
    {
        ErrorKind.BadRequest => StatusCodes.Status400BadRequest,
        ErrorKind.Unauthorized => StatusCodes.Status401Unauthorized,
        ErrorKind.Forbidden => StatusCodes.Status403Forbidden,
        ErrorKind.NotFound => StatusCodes.Status404NotFound,
        ErrorKind.Conflict => StatusCodes.Status409Conflict,
        ErrorKind.PayloadTooLarge => StatusCodes.Status413PayloadTooLarge,
        ErrorKind.UnsupportedMediaType => StatusCodes.Status415UnsupportedMediaType,
        ErrorKind.TooManyRequests => StatusCodes.Status429TooManyRequests,
        ErrorKind.Unavailable => StatusCodes.Status503ServiceUnavailable,
        ErrorKind.StorageFault => StatusCodes.Status500InternalServerError,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown error kind"),
    };

    private static (int Status, string Message)? Describe(Exception exception)
    {
        if (IsStorageFull(exception))
        {
            return (StatusCodes.Status507InsufficientStorage, StorageFull);
        }
        return AsDomainError(exception) switch
        {
            { } error => (StatusFor(error.Kind), error.ClientMessage),
            null => exception switch
            {
                BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } => (StatusCodes.Status413PayloadTooLarge, TooLarge),
                BadHttpRequestException e => (e.StatusCode, DescribeBadRequest(e)),
                _ => null,
            },
        };
    }

    /// <summary>The stores' own exceptions, as the domain errors they mean.</summary>
    private static LarderException? AsDomainError(Exception exception) => exception switch
    {
        LarderException e => e,
        MetadataUnavailableException e => new UnavailableException("the metadata database", e),
        UnknownChunksException e => new InvalidRequestException(e.Message, e),
        BlobNotFoundException e => new StoredDataMissingException("stored data", e),
        LengthLimitExceededException e => new PayloadTooLargeException(e.Message),
        _ => null,
    };

    private const string StorageFull = "the server's storage is full; nothing was stored, retry once the operator has freed space";

    /// <summary>The data directory's file system is full (ENOSPC, or EDQUOT for a quota), seen directly, by SQLite (SQLITE_FULL), or wrapped.</summary>
    private static bool IsStorageFull(Exception exception) => exception switch
    {
        IOException { HResult: 28 or 122 } => true,
        Microsoft.Data.Sqlite.SqliteException sqlite when (sqlite.SqliteErrorCode & 0xff) == 13 => true,
        _ => exception.InnerException is { } inner && IsStorageFull(inner),
    };

    private const string TooLarge =
        "request body too large: it exceeds the limit for this request (uploads: Larder:MaxUploadBytes; API JSON: 1 MiB)";

    private static bool IsBareApiError(HttpContext http) =>
        http.Response.StatusCode >= 400
        && !http.Response.HasStarted
        && http.Response.ContentLength is null
        && http.Response.ContentType is null
        && http.Request.Path.StartsWithSegments("/api", StringComparison.Ordinal);

    private static string DescribeBareStatus(HttpContext http) => http.Response.StatusCode switch
    {
        StatusCodes.Status404NotFound when http.GetEndpoint() is null =>
            $"no API endpoint {http.Request.Method} {http.Request.Path} (the OpenAPI document {Api.ApiEndpoints.OpenApiPath} lists them)",
        StatusCodes.Status404NotFound => $"not found: {http.Request.Method} {http.Request.Path}",
        StatusCodes.Status405MethodNotAllowed => $"method {http.Request.Method} is not allowed on {http.Request.Path}",
        StatusCodes.Status415UnsupportedMediaType =>
            $"unsupported content type '{http.Request.ContentType}': send application/json",
        StatusCodes.Status413PayloadTooLarge => TooLarge,
        var status => $"request failed with status {status}",
    };

    private static string DescribeBadRequest(BadHttpRequestException e) =>
        e.InnerException is JsonException json
            ? $"invalid JSON body: {json.Message}"
            : e.Message;

    [LoggerMessage(Level = LogLevel.Error, Message = "{Method} {Path} failed")]
    private static partial void LogServerError(ILogger logger, string method, string path, Exception exception);
}
