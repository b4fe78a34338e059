namespace Larder.Nix.Chunking;

/// <summary>
/// Where <see cref="FastCdcChunker.TryFindCutPoint(ReadOnlySpan{byte}, bool, ref CutPointSearch, out int)"/> stopped
/// in a chunk that needs more input, so the next call resumes there instead of hashing the same bytes again.
/// Start each chunk with <c>default</c>.
/// </summary>
public struct CutPointSearch
{
    /// <summary>Bytes of the current chunk already hashed and checked.</summary>
    public int Position { get; internal set; }

    internal ulong Hash { get; set; }
}
