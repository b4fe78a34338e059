namespace Larder.Server.Configuration;

/// <summary>The <c>Larder:Maintenance</c> section: background jobs.</summary>
public sealed class MaintenanceOptions
{
    /// <summary>How long an uploaded NAR waits for its narinfo before it is deleted (default 1 hour).</summary>
    public TimeSpan StagedUploadTtl { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// How long a NAR or chunk that lost its last holder stays before it is deleted (default 10 minutes), so that an
    /// upload that found it just before can still take it.
    /// </summary>
    public TimeSpan ReleaseGrace { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>How often the storage reaper runs (default 5 minutes).</summary>
    public TimeSpan CleanupInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// How long the reaper's lease lasts without renewal (default 5 minutes; renewed before every batch): after a replica
    /// dies in the middle of a pass, no other replica reaps for up to this long.
    /// </summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How often batched last-access times are written (default 5 seconds).</summary>
    public TimeSpan AccessFlushInterval { get; set; } = TimeSpan.FromSeconds(5);
}
