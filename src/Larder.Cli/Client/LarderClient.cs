using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Larder.Cli.Config;
using Larder.Cli.Infrastructure;
using Larder.Contracts;
using Polly;
using Polly.Retry;

namespace Larder.Cli.Client;

/// <summary>
/// Typed client for one Larder server's <c>/api/v1</c> and binary cache endpoints. Transient failures (connection
/// errors, 5xx, 408, 429) are retried with exponential backoff; other failures become <see cref="CliException"/>s
/// that name the operation and, for 401/403, the permission it needed.
/// </summary>
public sealed partial class LarderClient : IDisposable
{
    private readonly HttpClient _http;
    private readonly ResiliencePipeline _retry;
    private readonly int _maxRetries;
    private volatile bool _answered;

    /// <summary>
    /// Retries of a refused or reset connection once the server has answered this client before: enough (with the
    /// backoff capped at 8 s, about 30 s in all) to ride out a server restart in the middle of a push.
    /// </summary>
    private const int RestartRetries = 8;

    /// <summary>Creates a client for <paramref name="server"/>; <paramref name="maxRetries"/> transient retries per request.</summary>
    public LarderClient(ServerTarget server, int maxRetries = 4, HttpMessageHandler? handler = null)
    {
        Server = server;
        _http = new HttpClient(handler ?? CreateDefaultHandler()) { BaseAddress = server.BaseUrl, Timeout = Timeout.InfiniteTimeSpan };
        _http.DefaultRequestHeaders.UserAgent.ParseAdd("larder-cli/1");
        if (server.Token is not null)
        {
            _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", server.Token);
        }
        _maxRetries = maxRetries;
        _retry = maxRetries <= 0
            ? ResiliencePipeline.Empty
            : new ResiliencePipelineBuilder()
                .AddRetry(new RetryStrategyOptions
                {
                    ShouldHandle = args => ValueTask.FromResult(ShouldRetry(args.Outcome.Exception, args.AttemptNumber)),
                    MaxRetryAttempts = Math.Max(maxRetries, RestartRetries),
                    Delay = TimeSpan.FromMilliseconds(250),
                    MaxDelay = TimeSpan.FromSeconds(8),
                    BackoffType = DelayBackoffType.Exponential,
                    UseJitter = true,
                })
                .Build();
    }

    /// <summary>The handler a client uses when given none: what a wrapping handler should wrap.</summary>
    public static SocketsHttpHandler CreateDefaultHandler() => new()
    {
        ConnectTimeout = TimeSpan.FromSeconds(15),
        PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
        AutomaticDecompression = DecompressionMethods.None,
    };

    /// <summary>The server this client talks to.</summary>
    public ServerTarget Server { get; }

    /// <summary>
    /// Sends a request made by <paramref name="makeRequest"/> (called again for every retry) and returns the
    /// successful response; error statuses throw <see cref="ApiException"/> (transient ones after the retries).
    /// </summary>
    internal async Task<HttpResponseMessage> SendAsync(
        Func<HttpRequestMessage> makeRequest, HttpCompletionOption completion, CancellationToken cancellationToken)
    {
        return await _retry.ExecuteAsync(async ct =>
        {
            using var request = makeRequest();
            var response = await _http.SendAsync(request, completion, ct).ConfigureAwait(false);
            _answered = true;
            if (response.IsSuccessStatusCode)
            {
                return response;
            }
            using (response)
            {
                throw await ReadErrorAsync(response, ct).ConfigureAwait(false);
            }
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Sends a request and deserializes a JSON answer, translating failures for <paramref name="operation"/>.</summary>
    internal async Task<T> SendJsonAsync<T>(Func<HttpRequestMessage> makeRequest, JsonTypeInfo<T> answer, Operation operation, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await SendAsync(makeRequest, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
            var value = await response.Content.ReadFromJsonAsync(answer, cancellationToken).ConfigureAwait(false);
            return value ?? throw new CliException($"{operation.Description}: the server sent an empty answer");
        }
        catch (Exception e) when (Translate(e, operation) is { } translated)
        {
            throw translated;
        }
    }

    /// <summary>Sends a request whose answer body does not matter.</summary>
    internal async Task SendNoContentAsync(Func<HttpRequestMessage> makeRequest, Operation operation, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await SendAsync(makeRequest, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (Translate(e, operation) is { } translated)
        {
            throw translated;
        }
    }

    internal static HttpRequestMessage Json<T>(HttpMethod method, string path, T body, JsonTypeInfo<T> typeInfo) =>
        new(method, path) { Content = JsonContent.Create(body, typeInfo) };

    /// <summary>
    /// Turns a failure into a <see cref="CliException"/> in the user's terms: unreachable server, rejected token,
    /// missing permission, unknown cache. Returns null for exceptions that are not request failures.
    /// </summary>
    public CliException? Translate(Exception exception, Operation operation)
    {
        var baseUrl = Server.BaseUrl.ToString().TrimEnd('/');
        switch (exception)
        {
            case CliException:
                return null;
            case HttpRequestException e when InnerCliException(e) is { } own:
                return own;
            case ApiException { Status: HttpStatusCode.Unauthorized } e:
                return Server.Token is null
                    ? new CliException($"{operation.Description}: the server requires a token ({e.Message})", Server.LoginHint())
                    : new CliException($"{operation.Description}: the server rejected the token: {e.Message}",
                        "the token may be revoked or expired; get a new one with `larder token create`");
            case ApiException { Status: HttpStatusCode.Forbidden } e:
                return new CliException(
                    operation.Permission is not null && operation.Cache is not null
                        ? $"{operation.Description}: the token lacks {operation.Permission} permission on cache '{operation.Cache}' (server: {e.Message})"
                        : $"{operation.Description}: forbidden: {e.Message}",
                    "ask an admin for a token with that permission (`larder token create --permission …`)");
            case ApiException { Status: HttpStatusCode.NotFound } e when operation.NotFoundHint is not null:
                return new CliException($"{operation.Description}: {e.Message}", operation.NotFoundHint);
            case ApiException { Status: HttpStatusCode.NotFound } e when operation.Cache is not null:
                return new CliException($"{operation.Description}: {e.Message}", "list the caches with `larder cache list`");
            case ApiException e:
                return new CliException($"{operation.Description}: the server answered {(int)e.Status} {e.Status}: {e.Message}");
            case HttpRequestException e:
                return new CliException($"cannot reach {baseUrl}: {DescribeConnectionError(e)}", "is `larder serve` running, and is the URL right?");
            default:
                return null;
        }
    }

    private static string DescribeConnectionError(HttpRequestException e)
    {
        for (Exception? inner = e; inner is not null; inner = inner.InnerException)
        {
            if (inner is SocketException socket)
            {
                return socket.SocketErrorCode switch
                {
                    SocketError.ConnectionRefused => "connection refused",
                    SocketError.HostNotFound or SocketError.NoData => "host not found",
                    SocketError.TimedOut => "connection timed out",
                    SocketError.ConnectionReset => "connection reset",
                    _ => socket.Message,
                };
            }
        }
        return e.Message;
    }

    /// <summary>
    /// Transient failures are retried <c>maxRetries</c> times; a connection the server refused or dropped is retried
    /// <see cref="RestartRetries"/> times when the server answered before (it is restarting), but not when it never
    /// did (a wrong URL or a server that is down should fail fast).
    /// </summary>
    private bool ShouldRetry(Exception? exception, int attempt) => exception switch
    {
        ApiException e => e.IsTransient && attempt < _maxRetries,
        HttpRequestException e when IsTransient(e) => attempt < _maxRetries || (_answered && IsConnectionLost(e) && attempt < RestartRetries),
        _ => false,
    };

    private static bool IsConnectionLost(HttpRequestException e)
    {
        for (Exception? inner = e; inner is not null; inner = inner.InnerException)
        {
            if (inner is SocketException { SocketErrorCode: SocketError.ConnectionRefused or SocketError.ConnectionReset })
            {
                return true;
            }
        }
        return e.HttpRequestError is HttpRequestError.ConnectionError or HttpRequestError.ResponseEnded;
    }

    // A failure of our own request body (e.g. a NAR that does not match its hash) is never transient.
    private static bool IsTransient(HttpRequestException e) => e.StatusCode is null && InnerCliException(e) is null;

    private static CliException? InnerCliException(Exception e)
    {
        for (Exception? inner = e.InnerException; inner is not null; inner = inner.InnerException)
        {
            if (inner is CliException own)
            {
                return own;
            }
        }
        return null;
    }

    private static async Task<ApiException> ReadErrorAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        string text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        string message = text.Trim();
        string? code = null;
        if (response.Content.Headers.ContentType?.MediaType is "application/json" or "application/problem+json")
        {
            try
            {
                var error = JsonSerializer.Deserialize(text, LarderJsonContext.Default.ErrorDto);
                if (error is not null)
                {
                    message = error.Error;
                    code = error.Code;
                }
            }
            catch (JsonException)
            {
            }
        }
        if (message.Length == 0)
        {
            message = response.ReasonPhrase ?? "no message";
        }
        if (message.Length > 500)
        {
            message = message[..500] + "…";
        }
        return new ApiException(response.StatusCode, message, code);
    }

    public void Dispose() => _http.Dispose();
}
