namespace Larder.Contracts.Pins;

/// <summary>One revision of a pin.</summary>
/// <param name="Number">1 for the first, counting up; the highest is current.</param>
/// <param name="Artifact">The file inside the path served for download (<c>bin/myapp</c>), if any.</param>
/// <param name="TokenId">The token that set it.</param>
/// <param name="TokenDescription">That token's description.</param>
/// <param name="Note">Why, when it was not set by naming a path (<c>rollback to revision 2</c>).</param>
/// <param name="SupersededAt">When the next revision replaced it.</param>
/// <param name="ReleasedAt">When the keep rule stopped protecting its closure from garbage collection.</param>
/// <param name="Protected">Whether its closure is protected from retention and garbage collection now.</param>
public sealed record PinRevisionDto(
    int Number,
    string StorePath,
    string? Artifact,
    DateTimeOffset CreatedAt,
    long? TokenId,
    string? TokenDescription,
    string? Note,
    DateTimeOffset? SupersededAt,
    DateTimeOffset? ReleasedAt,
    bool Protected);
