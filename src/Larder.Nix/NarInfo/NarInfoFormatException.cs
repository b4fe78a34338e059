namespace Larder.Nix.NarInfo;

/// <summary>
/// A malformed narinfo. <see cref="Line"/> is 1-based (0 when the problem is the document as a whole, such as a
/// missing field); <see cref="Field"/> is the key concerned, when there is one.
/// </summary>
public sealed class NarInfoFormatException(int line, string? field, string reason)
    : FormatException(Describe(line, field, reason))
{
    /// <summary>1-based line of the problem, or 0 for the whole document.</summary>
    public int Line { get; } = line;

    /// <summary>The field concerned (e.g. <c>NarHash</c>), or null.</summary>
    public string? Field { get; } = field;

    /// <summary>What is wrong, without the location.</summary>
    public string Reason { get; } = reason;

    private static string Describe(int line, string? field, string reason) => (line, field) switch
    {
        (0, null) => $"invalid narinfo: {reason}",
        (0, _) => $"invalid narinfo: field {field}: {reason}",
        (_, null) => $"invalid narinfo: line {line}: {reason}",
        _ => $"invalid narinfo: line {line}, field {field}: {reason}",
    };
}
