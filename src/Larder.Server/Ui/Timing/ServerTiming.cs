using System.Diagnostics;
using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Larder.Server.Ui.Timing;

/// <summary>
/// Adds <c>Server-Timing: page;dur=MS</c> to every dashboard response: the milliseconds from the moment the endpoint's
/// filters start (sign-in check included) until the response starts, when the page is complete. A client's time to
/// first byte adds the connection and the machine's scheduling to it; this header tells the page's own cost apart.
/// </summary>
internal static class ServerTiming
{
    public const string HeaderName = "Server-Timing";

    /// <summary>Times the group's endpoints; add it before any other filter so that it wraps them.</summary>
    public static RouteGroupBuilder WithServerTiming(this RouteGroupBuilder group) =>
        group.AddEndpointFilter(static async (invocation, next) =>
        {
            var started = Stopwatch.GetTimestamp();
            var response = invocation.HttpContext.Response;
            response.OnStarting(() =>
            {
                var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                response.Headers[HeaderName] = string.Create(CultureInfo.InvariantCulture, $"page;dur={elapsed:0.00}");
                return Task.CompletedTask;
            });
            return await next(invocation).ConfigureAwait(false);
        });
}
