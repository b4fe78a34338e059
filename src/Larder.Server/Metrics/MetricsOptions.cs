namespace Larder.Server.Metrics;

/// <summary>Settings of <c>/metrics</c> (<c>Larder:Metrics</c>).</summary>
public sealed class MetricsOptions
{
    /// <summary>
    /// When set, <c>/metrics</c> answers only requests with <c>Authorization: Bearer TOKEN</c> (401 otherwise); when
    /// unset it is open, like the health probes. A scraper's own secret rather than a Larder token, so that a scrape
    /// config never holds a credential that can read caches.
    /// </summary>
    public string? Token { get; set; }
}
