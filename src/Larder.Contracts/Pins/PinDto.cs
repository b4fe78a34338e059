namespace Larder.Contracts.Pins;

/// <summary>A pin of a cache: its name, keep rule, current revision and where to fetch it.</summary>
/// <param name="Revisions">How many revisions it has had.</param>
/// <param name="TarballPath">The path (under the server) of this pin's tarball, <c>/CACHE/pins/NAME.tar.gz</c>.</param>
/// <param name="ArtifactPath">The path of the artifact's stable download URL, when the current revision names one.</param>
public sealed record PinDto(
    string Name, PinKeepDto Keep, DateTimeOffset CreatedAt, PinRevisionDto Current, int Revisions, string TarballPath, string? ArtifactPath);
