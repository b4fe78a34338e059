using Larder.Server.Maintenance.Gc;
using Prometheus;

namespace Larder.Server.Metrics;

/// <summary>
/// The server's Prometheus collectors, in a registry of their own (one per application, so that servers sharing a
/// process, as in tests, count apart). Label values come from bounded sets only: route templates, HTTP methods and
/// statuses, and names of caches that exist.
/// </summary>
public sealed class LarderMetrics
{
    /// <summary>The label value for a request that names no cache, or one not known to exist.</summary>
    public const string NoCache = "-";

    public LarderMetrics()
    {
        var factory = Prometheus.Metrics.WithCustomRegistry(Registry);
        // Larder traces nothing, so an exemplar is always empty: looking for one costs a few percent of a narinfo answer.
        factory.ExemplarBehavior = ExemplarBehavior.NoExemplars();
        Requests = factory.CreateCounter("larder_http_requests_total", "HTTP requests answered, by cache, endpoint (route template), method and status.",
            new CounterConfiguration { LabelNames = ["cache", "endpoint", "method", "status"] });
        RequestDuration = factory.CreateHistogram("larder_http_request_duration_seconds", "Time to answer an HTTP request, by endpoint.",
            new HistogramConfiguration { LabelNames = ["endpoint"], Buckets = Histogram.ExponentialBuckets(0.0005, 2, 16) });
        NarInfoHits = factory.CreateCounter("larder_narinfo_hits_total", "narinfo requests answered with the narinfo, by cache.",
            new CounterConfiguration { LabelNames = ["cache"] });
        NarInfoMisses = factory.CreateCounter("larder_narinfo_misses_total", "narinfo requests answered 404, by cache.",
            new CounterConfiguration { LabelNames = ["cache"] });
        BytesServed = factory.CreateCounter("larder_bytes_served_total", "Response body bytes (Content-Length) of successful GET requests, by cache.",
            new CounterConfiguration { LabelNames = ["cache"] });
        BytesReceived = factory.CreateCounter("larder_bytes_received_total", "Request body bytes (Content-Length) of successful requests, by cache.",
            new CounterConfiguration { LabelNames = ["cache"] });
        PushDuration = factory.CreateHistogram("larder_push_duration_seconds", "Time to receive and store one successful upload (PUT), by endpoint.",
            new HistogramConfiguration { LabelNames = ["endpoint"], Buckets = Histogram.ExponentialBuckets(0.001, 2, 18) });
        UploadSize = factory.CreateHistogram("larder_upload_size_bytes", "Body size of successful uploads (PUT), by endpoint.",
            new HistogramConfiguration { LabelNames = ["endpoint"], Buckets = Histogram.ExponentialBuckets(1024, 4, 12) });
        UploadsInFlight = factory.CreateGauge("larder_uploads_in_flight", "Uploads (PUT requests) being received now.");
        StorageLatency = factory.CreateHistogram("larder_storage_operation_duration_seconds", "Blob store operation time, by operation and outcome.",
            new HistogramConfiguration { LabelNames = ["operation", "outcome"], Buckets = Histogram.ExponentialBuckets(0.0001, 2, 18) });
        DatabaseLatency = factory.CreateHistogram("larder_database_operation_duration_seconds", "Metadata store operation time (one transaction, retries included).",
            new HistogramConfiguration { Buckets = Histogram.ExponentialBuckets(0.0001, 2, 18) });
        GcRuns = factory.CreateCounter("larder_gc_runs_total", "Garbage collections of one cache, by mode (run or dry-run).",
            new CounterConfiguration { LabelNames = ["mode"] });
        GcPathsEvicted = factory.CreateCounter("larder_gc_paths_evicted_total", "Paths evicted by garbage collection (dry runs excluded).");
        GcBytesFreed = factory.CreateCounter("larder_gc_bytes_freed_total", "Stored bytes freed by garbage collection (dry runs excluded).");
    }

    /// <summary>The registry <c>/metrics</c> exports.</summary>
    public CollectorRegistry Registry { get; } = Prometheus.Metrics.NewCustomRegistry();

    public Counter Requests { get; }

    public Histogram RequestDuration { get; }

    public Counter NarInfoHits { get; }

    public Counter NarInfoMisses { get; }

    public Counter BytesServed { get; }

    public Counter BytesReceived { get; }

    public Histogram PushDuration { get; }

    public Histogram UploadSize { get; }

    public Gauge UploadsInFlight { get; }

    public Histogram StorageLatency { get; }

    public Histogram DatabaseLatency { get; }

    public Counter GcRuns { get; }

    public Counter GcPathsEvicted { get; }

    public Counter GcBytesFreed { get; }

    /// <summary>Counts one garbage collection of a cache; what a dry run would free is not counted as freed.</summary>
    public void RecordGc(GcRunResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        GcRuns.WithLabels(result.DryRun ? "dry-run" : "run").Inc();
        if (!result.DryRun)
        {
            GcPathsEvicted.Inc(result.PathsEvicted);
            GcBytesFreed.Inc(result.BytesFreed);
        }
    }
}
