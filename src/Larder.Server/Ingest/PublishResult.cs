namespace Larder.Server.Ingest;

/// <summary>How a publish ended (failures are thrown as <see cref="Errors.LarderException"/>).</summary>
public enum PublishResult
{
    /// <summary>The path became visible.</summary>
    Committed,
    /// <summary>The cache already had the path with the same NarHash (idempotent; signatures merged).</summary>
    AlreadyPresent,
}
