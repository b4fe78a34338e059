using Larder.Contracts.Pins;
using Larder.Server.Metadata;

namespace Larder.Server.Api.Pins;

/// <summary>Pin records to API DTOs.</summary>
public static class PinMapping
{
    /// <summary>The pin as the API shows it, with the paths of its tarball and artifact under <paramref name="cacheName"/>.</summary>
    public static PinDto ToDto(PinRecord pin, string cacheName)
    {
        ArgumentNullException.ThrowIfNull(pin);
        return new PinDto(
            pin.Name,
            new PinKeepDto(pin.Keep.Revisions, pin.Keep.Days, pin.Keep.Forever),
            pin.CreatedAt,
            ToDto(pin.Current),
            pin.RevisionCount,
            $"/{cacheName}/pins/{pin.Name}.tar.gz",
            pin.Current.Artifact is null ? null : ArtifactPath(cacheName, pin.Name));
    }

    /// <summary>One revision as the API shows it.</summary>
    public static PinRevisionDto ToDto(PinRevisionRecord revision)
    {
        ArgumentNullException.ThrowIfNull(revision);
        return new PinRevisionDto(
            revision.Number, revision.StorePath, revision.Artifact, revision.CreatedAt, revision.TokenId, revision.TokenDescription, revision.Note,
            revision.SupersededAt, revision.ReleasedAt, revision.ReleasedAt is null);
    }

    /// <summary>The stable download path of a pin's artifact: it always serves the current revision's file.</summary>
    public static string ArtifactPath(string cacheName, string pinName) => $"/{cacheName}/pins/{pinName}/artifact";
}
