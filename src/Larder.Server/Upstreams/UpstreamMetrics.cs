using Larder.Server.Metrics;
using Prometheus;

namespace Larder.Server.Upstreams;

/// <summary><c>larder_upstream_requests_total</c>: requests read-through caches made to their upstreams, by kind and outcome.</summary>
internal sealed class UpstreamMetrics(LarderMetrics metrics)
{
    private readonly Counter _requests = Prometheus.Metrics.WithCustomRegistry(metrics.Registry).CreateCounter(
        "larder_upstream_requests_total", "Requests to upstream caches, by kind (narinfo or nar) and outcome (found, absent or failed).",
        new CounterConfiguration { LabelNames = ["kind", "outcome"] });

    public void NarInfo(UpstreamOutcome outcome) => _requests.WithLabels("narinfo", Label(outcome)).Inc();

    public void Nar(UpstreamOutcome outcome) => _requests.WithLabels("nar", Label(outcome)).Inc();

    private static string Label(UpstreamOutcome outcome) => outcome switch
    {
        UpstreamOutcome.Found => "found",
        UpstreamOutcome.Absent => "absent",
        _ => "failed",
    };
}
