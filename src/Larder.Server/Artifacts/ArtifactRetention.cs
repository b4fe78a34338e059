using Larder.Contracts.Artifacts;
using Larder.Contracts.Caches;
using Larder.Server.Errors;
using Larder.Server.Metadata;

namespace Larder.Server.Artifacts;

/// <summary>The artifact retention rules: which limits apply to a cache, and reading a cache's own from the API.</summary>
public static class ArtifactRetention
{
    /// <summary>The cache's own limits where set, else the server defaults.</summary>
    public static ArtifactRetentionSettings Effective(ArtifactRetentionSettings own, ArtifactOptions defaults)
    {
        ArgumentNullException.ThrowIfNull(own);
        ArgumentNullException.ThrowIfNull(defaults);
        return new ArtifactRetentionSettings(
            own.KeepPerKey ?? defaults.KeepPerKey, own.MaxAgeDays ?? defaults.MaxAgeDays, own.MaxTotalBytes ?? defaults.MaxTotalBytes);
    }

    /// <summary>The API form of a cache's own limits, with the effective ones.</summary>
    public static ArtifactRetentionDto ToDto(ArtifactRetentionSettings own, ArtifactOptions defaults)
    {
        ArgumentNullException.ThrowIfNull(own);
        var effective = Effective(own, defaults);
        return new ArtifactRetentionDto(
            own.KeepPerKey, own.MaxAgeDays, own.MaxTotalBytes is { } bytes ? ByteSizeText.Format(bytes) : null,
            effective.KeepPerKey, effective.MaxAgeDays, effective.MaxTotalBytes);
    }

    /// <summary>A cache's own limits from a request; throws <see cref="InvalidRequestException"/> naming the first invalid field.</summary>
    public static ArtifactRetentionSettings FromDto(ArtifactRetentionDto request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.KeepPerKey is { } keep and (< 1 or > ArtifactOptions.MaxKeepPerKey))
        {
            throw new InvalidRequestException($"keepPerKey must be from 1 to {ArtifactOptions.MaxKeepPerKey}, not {keep}");
        }
        if (request.MaxAgeDays is { } days and (< 1 or > ArtifactOptions.MaxDays))
        {
            throw new InvalidRequestException($"maxAgeDays must be from 1 to {ArtifactOptions.MaxDays}, not {days}");
        }
        long? maxBytes = null;
        if (request.MaxTotalSize is { } text)
        {
            maxBytes = ByteSizeText.TryParse(text, out var problem) ?? throw new InvalidRequestException($"maxTotalSize: {problem}");
        }
        return new ArtifactRetentionSettings(request.KeepPerKey, request.MaxAgeDays, maxBytes);
    }
}
