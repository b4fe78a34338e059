namespace Larder.Server.Configuration;

/// <summary>The <c>Larder:Maintenance</c> section: background jobs.</summary>
public sealed class MaintenanceOptions
{
    /// <summary>How long an uploaded NAR waits for its narinfo before it is deleted (default 1 hour).</summary>
    public TimeSpan StagedUploadTtl { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How often the staged-upload and orphan-blob cleanup runs (default 5 minutes).</summary>
    public TimeSpan CleanupInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How often batched last-access times are written (default 5 seconds).</summary>
    public TimeSpan AccessFlushInterval { get; set; } = TimeSpan.FromSeconds(5);
}
