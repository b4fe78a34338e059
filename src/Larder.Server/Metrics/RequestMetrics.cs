using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Larder.Server.Access;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Larder.Server.Metrics;

/// <summary>
/// Counts every request into <see cref="LarderMetrics"/> once its response is complete (so the status is the one sent,
/// after error mapping). The endpoint label is the route template, with <c>{file}</c> narrowed to the kind of file
/// (<c>{hash}.narinfo</c>, <c>{hash}.ls</c>, <c>nix-cache-info</c>); the cache label is a cache name only once a
/// request on that cache succeeded, so names made up by clients never become label values.
/// </summary>
public sealed class RequestMetrics(RequestDelegate next, LarderMetrics metrics)
{
    private const string NarInfoEndpoint = "/{cache}/{hash}.narinfo";
    private const string NarEndpoint = "/{cache}/nar/{file}";

    private readonly ConcurrentDictionary<string, bool> _knownCaches = new(StringComparer.Ordinal);

    public async Task InvokeAsync(HttpContext http)
    {
        var started = Stopwatch.GetTimestamp();
        var upload = HttpMethods.IsPut(http.Request.Method);
        if (upload)
        {
            metrics.UploadsInFlight.Inc();
        }
        http.Response.OnCompleted(() =>
        {
            Record(http, Stopwatch.GetElapsedTime(started), upload);
            return Task.CompletedTask;
        });
        try
        {
            await next(http).ConfigureAwait(false);
        }
        finally
        {
            if (upload)
            {
                metrics.UploadsInFlight.Dec();
            }
        }
    }

    private void Record(HttpContext http, TimeSpan elapsed, bool upload)
    {
        var request = http.Request;
        var status = http.Response.StatusCode;
        var success = status is >= 200 and < 300;
        var (endpoint, cacheName) = Classify(http);
        var cache = CacheLabel(cacheName, success);
        metrics.Requests.WithLabels(cache, endpoint, request.Method, status.ToString(CultureInfo.InvariantCulture)).Inc();
        metrics.RequestDuration.WithLabels(endpoint).Observe(elapsed.TotalSeconds);
        if (endpoint == NarInfoEndpoint && (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method)))
        {
            if (success)
            {
                metrics.NarInfoHits.WithLabels(cache).Inc();
            }
            else if (status == StatusCodes.Status404NotFound)
            {
                metrics.NarInfoMisses.WithLabels(cache).Inc();
            }
        }
        if (!success)
        {
            return;
        }
        if (HttpMethods.IsGet(request.Method) && http.Response.ContentLength is { } served)
        {
            metrics.BytesServed.WithLabels(cache).Inc(served);
        }
        if (request.ContentLength is { } received)
        {
            metrics.BytesReceived.WithLabels(cache).Inc(received);
            if (upload)
            {
                metrics.UploadSize.WithLabels(endpoint).Observe(received);
            }
        }
        if (upload)
        {
            metrics.PushDuration.WithLabels(endpoint).Observe(elapsed.TotalSeconds);
        }
    }

    private string CacheLabel(string? name, bool success)
    {
        if (name is null)
        {
            return LarderMetrics.NoCache;
        }
        if (success)
        {
            _knownCaches.TryAdd(name, true);
            return name;
        }
        return _knownCaches.ContainsKey(name) ? name : LarderMetrics.NoCache;
    }

    /// <summary>
    /// The route template of the endpoint that answered, <c>{file}</c> narrowed, and the cache it names. A narinfo or
    /// NAR answered before routing (from the remembered narinfos) counts as the narinfo or NAR endpoint; any other
    /// request that reached no endpoint is "unmatched".
    /// </summary>
    private static (string Endpoint, string? Cache) Classify(HttpContext http)
    {
        if (http.GetEndpoint() is not RouteEndpoint { RoutePattern.RawText: { } template })
        {
            return AnsweredBeforeRouting(http.Request.Path.Value);
        }
        var cache = http.Request.RouteValues[AccessEndpoints.CacheRouteParameter] as string;
        template = StripConstraints(template);
        if (!template.EndsWith("/{file}", StringComparison.Ordinal) || http.Request.RouteValues["file"] is not string file)
        {
            return (template, cache);
        }
        var kind = file switch
        {
            "nix-cache-info" => file,
            _ when file.EndsWith(".narinfo", StringComparison.Ordinal) => "{hash}.narinfo",
            _ when file.EndsWith(".ls", StringComparison.Ordinal) => "{hash}.ls",
            _ => "{file}",
        };
        return (template[..^"{file}".Length] + kind, cache);
    }

    /// <summary>The endpoint and cache of a <c>/&lt;cache&gt;/&lt;hash&gt;.narinfo</c> or <c>/&lt;cache&gt;/nar/&lt;file&gt;</c> path, else "unmatched".</summary>
    private static (string Endpoint, string? Cache) AnsweredBeforeRouting(string? path)
    {
        var slash = path is null ? -1 : path.IndexOf('/', 1);
        if (path is null || slash <= 1)
        {
            return ("unmatched", null);
        }
        var rest = path.AsSpan(slash + 1);
        if (rest.EndsWith(".narinfo", StringComparison.Ordinal) && !rest.Contains('/'))
        {
            return (NarInfoEndpoint, path[1..slash]);
        }
        return rest.StartsWith("nar/", StringComparison.Ordinal) && !rest[4..].Contains('/') ? (NarEndpoint, path[1..slash]) : ("unmatched", null);
    }

    /// <summary><c>/{cache:cachename}/x</c> → <c>/{cache}/x</c>.</summary>
    private static string StripConstraints(string template)
    {
        var colon = template.IndexOf(':', StringComparison.Ordinal);
        while (colon >= 0)
        {
            var close = template.IndexOf('}', colon);
            template = template.Remove(colon, close - colon);
            colon = template.IndexOf(':', StringComparison.Ordinal);
        }
        return template;
    }
}
