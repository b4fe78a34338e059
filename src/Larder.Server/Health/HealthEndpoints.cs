using Larder.Server.Access;
using Larder.Server.Metadata;
using Larder.Server.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Larder.Server.Health;

/// <summary>
/// Anonymous probes for load balancers and Kubernetes: <c>GET /health/live</c> answers 200 while the process serves
/// requests; <c>GET /health/ready</c> answers 200 when the metadata database and the blob store both answer within
/// <see cref="ReadyTimeout"/>, 503 otherwise, with a JSON body naming each check's result.
/// </summary>
public static class HealthEndpoints
{
    /// <summary>How long each readiness check may take before it counts as failed.</summary>
    public static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(3);

    /// <summary>A key no blob has: asking its size exercises the store's connection and credentials.</summary>
    private const string ProbeKey = "health/probe";

    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/health").ExcludeFromDescription().AllowAnyone();
        group.MapGet("/live", static () => TypedResults.Json(new HealthReport("ok", null, null), HealthJsonContext.Default.HealthReport));
        group.MapGet("/ready", static async (IMetadataStore metadata, IBlobStore blobs, CancellationToken cancellationToken) =>
        {
            var database = CheckAsync(ct => metadata.PingAsync(ct), cancellationToken);
            var storage = CheckAsync(ct => blobs.GetSizeAsync(ProbeKey, ct), cancellationToken);
            var report = HealthReport.Of(await database.ConfigureAwait(false), await storage.ConfigureAwait(false));
            return TypedResults.Json(report, HealthJsonContext.Default.HealthReport,
                statusCode: report.Status == "ok" ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
        });
        return app;
    }

    /// <summary>"ok", or what went wrong (a timeout or the exception's message).</summary>
    private static async Task<string> CheckAsync(Func<CancellationToken, Task> check, CancellationToken requestAborted)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(requestAborted);
        timeout.CancelAfter(ReadyTimeout);
        try
        {
            await check(timeout.Token).ConfigureAwait(false);
            return "ok";
        }
        catch (OperationCanceledException) when (!requestAborted.IsCancellationRequested)
        {
            return $"no answer within {ReadyTimeout.TotalSeconds:0} s";
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return $"failed: {e.Message}";
        }
    }
}
