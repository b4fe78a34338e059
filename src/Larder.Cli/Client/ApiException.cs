using System.Net;

namespace Larder.Cli.Client;

/// <summary>The server answered an API request with an error status; <see cref="Exception.Message"/> is its own message.</summary>
public sealed class ApiException(HttpStatusCode status, string message, string? code) : Exception(message)
{
    public HttpStatusCode Status { get; } = status;

    /// <summary>The server's error code (<c>notFound</c>, <c>forbidden</c>, …) when it sent one.</summary>
    public string? Code { get; } = code;

    /// <summary>Whether retrying the same request may succeed (5xx, 408, 429).</summary>
    public bool IsTransient => (int)Status >= 500 || Status is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests;
}
