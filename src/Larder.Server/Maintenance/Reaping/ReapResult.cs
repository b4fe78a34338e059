namespace Larder.Server.Maintenance.Reaping;

/// <summary>What one <see cref="Reaper"/> pass removed (<see cref="UploadSessions"/>: abandoned resumable uploads); <see cref="Leader"/> is false when another replica held the lease.</summary>
public sealed record ReapResult(bool Leader, int StagedUploads, int Nars, int Chunks, int Blobs, int TemporaryFiles, int UploadSessions)
{
    /// <summary>The pass did nothing: another replica holds the lease.</summary>
    public static readonly ReapResult NotLeader = new(false, 0, 0, 0, 0, 0, 0);

    /// <summary>Whether the pass removed anything.</summary>
    public bool Removed => StagedUploads + Nars + Chunks + Blobs + TemporaryFiles + UploadSessions > 0;
}
