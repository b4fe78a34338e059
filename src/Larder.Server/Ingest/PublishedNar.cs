using Larder.Nix.Hashing;
using Larder.Server.Metadata;

namespace Larder.Server.Ingest;

/// <summary>
/// The stored NAR a <see cref="PublishRequest"/> is published with, and what its claims are checked against.
/// <see cref="ReceivedFileHash"/>/<see cref="ReceivedFileSize"/> describe the file as Larder received it from the
/// client, when it did; without them the request's FileHash/FileSize describe a file Larder never saw and are not
/// checked.
/// </summary>
/// <param name="Nar">The NAR (its Id is ignored: an existing NAR with the same NarHash is reused on commit).</param>
/// <param name="StagedNarId">The staged upload the commit consumes (Nix's two-step upload), if any.</param>
public sealed record PublishedNar(NarRecord Nar, NixHash? ReceivedFileHash = null, long? ReceivedFileSize = null, long? StagedNarId = null)
{
    /// <summary>A NAR uploaded by an earlier <c>PUT nar/…</c>: the narinfo's file claims describe that upload.</summary>
    public static PublishedNar FromStaged(StagedNarRecord staged, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(staged);
        var nar = new NarRecord(0, staged.NarHash, staged.NarSize, "zstd", staged.FileHash, staged.FileSize, staged.Chunks, staged.ListingKey, at);
        return new PublishedNar(nar, NixHash.Parse(staged.UploadFileHash), staged.UploadFileSize, staged.Id);
    }

    /// <summary>A NAR this cache already serves, its file being the one the client's claims describe.</summary>
    public static PublishedNar FromServedFile(NarRecord nar)
    {
        ArgumentNullException.ThrowIfNull(nar);
        return new PublishedNar(nar, NixHash.Parse(nar.FileHash), nar.FileSize);
    }
}
