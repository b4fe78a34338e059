namespace Larder.Server.Configuration;

/// <summary>
/// The <c>Larder</c> configuration section. Every key can come from <c>larder.json</c> in the data directory, a
/// <c>--config</c> file, environment variables (<c>Larder__MaxUploadBytes</c>) or the command line
/// (<c>--Larder:MaxUploadBytes=…</c>), later sources winning.
/// </summary>
public sealed class LarderOptions
{
    /// <summary>The configuration section name.</summary>
    public const string Section = "Larder";

    /// <summary>The default port of <c>larder serve</c>.</summary>
    public const int DefaultPort = 5180;

    /// <summary>Where SQLite metadata, folder blobs, the admin token and <c>larder.json</c> live (default <c>./larder-data</c>).</summary>
    public string DataDir { get; set; } = "larder-data";

    /// <summary><c>HOST:PORT</c> to listen on (default <c>127.0.0.1:5180</c>); port 0 picks a free port.</summary>
    public string Listen { get; set; } = $"127.0.0.1:{DefaultPort}";

    /// <summary>
    /// The URL clients reach this server at (e.g. <c>https://cache.example.com</c>), used for substituter URLs shown by
    /// the API. Empty: derived from each request.
    /// </summary>
    public string? PublicUrl { get; set; }

    /// <summary>
    /// Reverse proxies (IP addresses or CIDR networks) whose <c>X-Forwarded-Proto</c>/<c>X-Forwarded-Host</c>/
    /// <c>X-Forwarded-For</c> headers are believed; empty: those headers are ignored.
    /// </summary>
    public List<string> TrustedProxies { get; set; } = [];

    /// <summary>
    /// Whether a plain HTTP/1.x connection's next request is read on the socket's epoll thread, where a narinfo known
    /// in memory is answered without a thread-pool item (<see cref="SocketThreads.SocketThreadGate"/>); false: every
    /// request runs on the thread pool.
    /// </summary>
    public bool SocketThreadAnswers { get; set; } = true;

    /// <summary>Largest accepted request body in bytes (default 64 GiB).</summary>
    public long MaxUploadBytes { get; set; } = 64L << 30;

    public DatabaseOptions Database { get; set; } = new();

    public StorageOptions Storage { get; set; } = new();

    public MaintenanceOptions Maintenance { get; set; } = new();

    /// <summary>OIDC token exchange (<c>Larder:Oidc</c>).</summary>
    public Access.Oidc.OidcOptions Oidc { get; set; } = new();

    /// <summary>Rate limiting of failed authentication per client address (<c>Larder:FailedAuthentication</c>).</summary>
    public Access.RateLimiting.FailedAuthenticationOptions FailedAuthentication { get; set; } = new();

    /// <summary>How NARs are cut into chunks (<c>Larder:Chunking</c>).</summary>
    public ChunkingSettings Chunking { get; set; } = new();

    /// <summary>Retention and garbage collection defaults (<c>Larder:Retention</c>).</summary>
    public Maintenance.Gc.RetentionOptions Retention { get; set; } = new();

    /// <summary>Build-artifact retention defaults (<c>Larder:Artifacts</c>).</summary>
    public Artifacts.ArtifactOptions Artifacts { get; set; } = new();

    /// <summary><c>/metrics</c> (<c>Larder:Metrics</c>).</summary>
    public Larder.Server.Metrics.MetricsOptions Metrics { get; set; } = new();

    /// <summary>Read-through upstream caches (<c>Larder:Upstreams</c>).</summary>
    public Upstreams.UpstreamOptions Upstreams { get; set; } = new();
}
