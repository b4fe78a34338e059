using Larder.Contracts.Explain;

namespace Larder.Cli.Commands.Explain;

/// <summary>What one source answered about one store path.</summary>
/// <param name="NarInfo">The path's narinfo facts when the source has it; null when it does not.</param>
/// <param name="DownloadSize">What a client would download (file size, else NAR size).</param>
/// <param name="ReferencesElsewhere">References (base names) the source does not vouch for holding: clients must get them elsewhere.</param>
/// <param name="Origin">How a Larder cache got it (<c>push</c>, <c>upstream</c>); null for other sources.</param>
/// <param name="LatestEvent">A Larder cache's latest event about it.</param>
/// <param name="SameName">A Larder cache's present paths with the same name, when it lacks this one.</param>
internal sealed record PathAnswer(
    Larder.Nix.NarInfo.NarInfo? NarInfo,
    long? DownloadSize,
    IReadOnlyList<string> ReferencesElsewhere,
    string? Origin = null,
    PathEventDto? LatestEvent = null,
    IReadOnlyList<SameNamePathDto>? SameName = null)
{
    /// <summary>The source does not have the path and knows nothing about it.</summary>
    public static readonly PathAnswer Absent = new(null, null, []);

    public bool Present => NarInfo is not null;
}
