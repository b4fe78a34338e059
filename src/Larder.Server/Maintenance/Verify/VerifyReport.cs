namespace Larder.Server.Maintenance.Verify;

/// <summary>What is wrong with a stored NAR.</summary>
public enum VerifyProblemKind
{
    /// <summary>A chunk's blob is absent from the blob store.</summary>
    MissingBlob,
    /// <summary>A chunk's stored (compressed) bytes do not match its recorded StoredHash/StoredSize.</summary>
    StoredHashMismatch,
    /// <summary>A chunk's bytes do not decompress.</summary>
    Undecompressible,
    /// <summary>A chunk's decompressed bytes do not match its recorded Hash/Size.</summary>
    ChunkHashMismatch,
    /// <summary>The concatenated stored bytes do not match the NAR's FileHash/FileSize.</summary>
    FileHashMismatch,
    /// <summary>The whole decompressed NAR does not match its NarHash/NarSize.</summary>
    NarHashMismatch,
}

/// <summary>One problem found by <see cref="NarVerifier"/>: the NAR, the blob involved (if one) and what differs.</summary>
public sealed record VerifyProblem(long NarId, string NarHash, string? StorageKey, VerifyProblemKind Kind, string Detail);

/// <summary>Progress after each NAR: how many were checked, how many stored bytes were read, how many problems so far.</summary>
public sealed record VerifyProgress(long NarsChecked, long BytesRead, int Problems, string? CurrentNarHash);

/// <summary>A path quarantine hid: its cache, and the path it references whose bad NAR took it along (null for that path itself).</summary>
public sealed record HiddenPath(long CacheId, string StorePath, string? BecauseOf);

/// <summary>The outcome of a verify run.</summary>
/// <param name="Quarantined">Storage keys moved under <c>quarantine/</c> (only with quarantine on).</param>
/// <param name="Hidden">Paths deleted because their NAR, or that of a path they reference, is bad (only with quarantine on).</param>
public sealed record VerifyReport(
    long NarsChecked, long BytesRead, IReadOnlyList<VerifyProblem> Problems, IReadOnlyList<string> Quarantined, IReadOnlyList<HiddenPath> Hidden)
{
    /// <summary>Whether every NAR checked out.</summary>
    public bool Clean => Problems.Count == 0;
}
