using Larder.Nix.Hashing;
using Larder.Nix.Store;

namespace Larder.Nix.Signing;

/// <summary>
/// The string a binary cache signature covers:
/// <c>1;&lt;store path&gt;;&lt;sha256:nix32 NarHash&gt;;&lt;NarSize&gt;;&lt;comma-joined full reference paths&gt;</c>,
/// references sorted as Nix keeps them.
/// </summary>
public static class Fingerprint
{
    /// <summary>The fingerprint of a path; references are full store paths (<c>/nix/store/hash-name</c>).</summary>
    public static string For(StorePath storePath, NixHash narHash, long narSize, IEnumerable<string> referenceFullPaths)
    {
        ArgumentNullException.ThrowIfNull(storePath);
        ArgumentNullException.ThrowIfNull(referenceFullPaths);
        if (narSize <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(narSize), narSize, $"cannot fingerprint '{storePath}': its NAR size is not known");
        }
        if (narHash.Bytes.IsEmpty)
        {
            throw new ArgumentException($"cannot fingerprint '{storePath}': it has no NAR hash", nameof(narHash));
        }
        var references = referenceFullPaths.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);
        return $"1;{storePath.FullPath};{narHash.ToNix32String()};{narSize};{string.Join(',', references)}";
    }

    /// <summary>The fingerprint of a path whose references are given as <see cref="StorePath"/>s.</summary>
    public static string For(StorePath storePath, NixHash narHash, long narSize, IEnumerable<StorePath> references)
    {
        ArgumentNullException.ThrowIfNull(references);
        return For(storePath, narHash, narSize, references.Select(r => r.FullPath));
    }
}
