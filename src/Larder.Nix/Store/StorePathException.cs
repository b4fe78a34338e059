namespace Larder.Nix.Store;

/// <summary>A string that is not a valid store path (or store path name); <see cref="Reason"/> says why.</summary>
public sealed class StorePathException(string path, string reason)
    : FormatException($"invalid store path '{path}': {reason}")
{
    /// <summary>The text that was rejected.</summary>
    public string Path { get; } = path;

    /// <summary>Why it was rejected, e.g. "name contains illegal character '/'".</summary>
    public string Reason { get; } = reason;
}
