using System.Buffers;
using Larder.Nix.Compression;
using Larder.Nix.Hashing;
using Larder.Nix.Streams;
using Larder.Server.BinaryCache.Serving;
using Larder.Server.Metadata;
using Larder.Server.Storage;

namespace Larder.Server.Maintenance.Verify;

/// <summary>
/// Re-reads every stored NAR (paging through <see cref="IMetadataStore.ListNarsAsync"/>) and checks, in one streaming
/// pass per chunk: the blob exists, its bytes match the chunk's StoredHash/StoredSize, they decompress to the chunk's
/// Hash/Size, and, over all chunks, the NAR's FileHash/FileSize and NarHash/NarSize. Nothing is held in memory beyond a
/// read buffer. With quarantine on, the damaged blobs of a bad NAR are moved to <c>quarantine/&lt;key&gt;</c> (the
/// evidence is kept; sound chunks stay, as other NARs may share them), and every path using the NAR is hidden in each
/// cache together with the paths that reference it (closures stay whole), as a deletion with the reason
/// <see cref="QuarantineReason"/>: clients get a clean 404 for the narinfo instead of a failing download. The NAR and
/// its damaged chunks are taken out of reuse (<see cref="IMetadataStore.QuarantineNarAsync"/>), so pushing the paths
/// again stores them afresh.
/// </summary>
public sealed class NarVerifier(IMetadataStore metadata, IBlobStore blobs, ServingChanges serving, TimeProvider time)
{
    /// <summary>The blob key prefix quarantined blobs are moved under.</summary>
    public const string QuarantinePrefix = "quarantine/";

    /// <summary>The reason recorded in the <c>delete</c> event of each path quarantine hides.</summary>
    public const string QuarantineReason = "quarantined";

    private const int PageSize = 200;
    private const int BufferSize = 128 * 1024;

    /// <summary>Checks every NAR; reports progress after each one.</summary>
    public async Task<VerifyReport> VerifyAllAsync(bool quarantine, IProgress<VerifyProgress>? progress, CancellationToken cancellationToken)
    {
        var problems = new List<VerifyProblem>();
        var quarantined = new List<string>();
        var hidden = new List<HiddenPath>();
        long checkedCount = 0;
        long bytesRead = 0;
        var afterId = 0L;
        while (true)
        {
            var page = await metadata.ListNarsAsync(afterId, PageSize, cancellationToken).ConfigureAwait(false);
            foreach (var nar in page)
            {
                var (found, read) = await VerifyNarAsync(nar, cancellationToken).ConfigureAwait(false);
                checkedCount++;
                bytesRead += read;
                problems.AddRange(found);
                if (quarantine && found.Count > 0)
                {
                    var keys = found.Select(p => p.StorageKey).OfType<string>().ToHashSet(StringComparer.Ordinal);
                    var damaged = nar.Chunks.Where(c => keys.Contains(c.StorageKey)).DistinctBy(c => c.StorageKey).ToList();
                    quarantined.AddRange(await QuarantineAsync(damaged, cancellationToken).ConfigureAwait(false));
                    await metadata.QuarantineNarAsync(nar.Id, [.. damaged.Select(c => c.Hash)], cancellationToken).ConfigureAwait(false);
                    hidden.AddRange(await HidePathsAsync(nar, cancellationToken).ConfigureAwait(false));
                }
                progress?.Report(new VerifyProgress(checkedCount, bytesRead, problems.Count, nar.NarHash));
            }
            if (page.Count < PageSize)
            {
                return new VerifyReport(checkedCount, bytesRead, problems, quarantined, hidden);
            }
            afterId = page[^1].Id;
        }
    }

    /// <summary>The problems of one NAR (empty when it is sound) and how many stored bytes were read.</summary>
    public async Task<(IReadOnlyList<VerifyProblem> Problems, long BytesRead)> VerifyNarAsync(NarRecord nar, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(nar);
        var problems = new List<VerifyProblem>();
        using var narHasher = new NixHasher(HashKind.Sha256);
        using var fileHasher = new NixHasher(HashKind.Sha256);
        var wholeNarReadable = true;
        long bytesRead = 0;
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            foreach (var chunk in nar.Chunks)
            {
                bytesRead += await VerifyChunkAsync(nar, chunk, problems, narHasher, fileHasher, buffer, cancellationToken).ConfigureAwait(false);
            }
            wholeNarReadable = !problems.Any(p => p.Kind is VerifyProblemKind.MissingBlob or VerifyProblemKind.Undecompressible);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        if (wholeNarReadable)
        {
            Compare(problems, nar, null, VerifyProblemKind.FileHashMismatch, "FileHash", nar.FileHash, nar.FileSize, fileHasher);
            Compare(problems, nar, null, VerifyProblemKind.NarHashMismatch, "NarHash", nar.NarHash, nar.NarSize, narHasher);
        }
        return (problems, bytesRead);
    }

    /// <summary>
    /// Streams one chunk: stored bytes feed the chunk's stored hash and the NAR's file hash, decompressed bytes the
    /// chunk's hash and the NAR's hash. Adds what differs to <paramref name="problems"/>; returns the stored bytes read.
    /// </summary>
    private async Task<long> VerifyChunkAsync(
        NarRecord nar, ChunkRecord chunk, List<VerifyProblem> problems, NixHasher narHasher, NixHasher fileHasher, byte[] buffer,
        CancellationToken cancellationToken)
    {
        if (!CompressionNames.TryParse(chunk.Compression, out var compression))
        {
            problems.Add(Problem(nar, chunk, VerifyProblemKind.Undecompressible, $"unknown compression '{chunk.Compression}'"));
            return 0;
        }
        Stream blob;
        try
        {
            blob = await OpenChunkAsync(chunk, cancellationToken).ConfigureAwait(false);
        }
        catch (BlobNotFoundException)
        {
            problems.Add(Problem(nar, chunk, VerifyProblemKind.MissingBlob, $"blob '{chunk.StorageKey}' is missing from the blob store"));
            return 0;
        }
        using var storedHasher = new NixHasher(HashKind.Sha256);
        using var chunkHasher = new NixHasher(HashKind.Sha256);
        var stored = new HashingStream(blob, [storedHasher, fileHasher]);
        await using (stored.ConfigureAwait(false))
        {
            try
            {
                var plain = Codecs.Decompress(stored, compression, leaveOpen: true);
                await using (plain.ConfigureAwait(false))
                {
                    int n;
                    while ((n = await plain.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
                    {
                        chunkHasher.Append(buffer.AsSpan(0, n));
                        narHasher.Append(buffer.AsSpan(0, n));
                    }
                }
            }
            catch (CompressionException e)
            {
                problems.Add(Problem(nar, chunk, VerifyProblemKind.Undecompressible, $"blob '{chunk.StorageKey}' does not decompress: {e.Message}"));
            }
            // Whatever the decompressor left unread still belongs to the stored bytes.
            while (await stored.ReadAsync(buffer, cancellationToken).ConfigureAwait(false) > 0)
            {
            }
        }
        Compare(problems, nar, chunk.StorageKey, VerifyProblemKind.StoredHashMismatch, $"stored blob '{chunk.StorageKey}'", chunk.StoredHash, chunk.StoredSize, storedHasher);
        if (!problems.Any(p => p.Kind == VerifyProblemKind.Undecompressible && p.StorageKey == chunk.StorageKey))
        {
            Compare(problems, nar, chunk.StorageKey, VerifyProblemKind.ChunkHashMismatch, $"decompressed chunk '{chunk.StorageKey}'", chunk.Hash, chunk.Size, chunkHasher);
        }
        return storedHasher.Length;
    }

    /// <summary>The stored bytes of <paramref name="chunk"/>: its own blob, or its range of a pack.</summary>
    private Task<Stream> OpenChunkAsync(ChunkRecord chunk, CancellationToken cancellationToken) => chunk.PackKey is null
        ? blobs.OpenReadAsync(chunk.StorageKey, 0, cancellationToken)
        : blobs.OpenRangeAsync(chunk.PackKey, chunk.PackOffset, chunk.StoredSize, cancellationToken);

    /// <summary>
    /// Moves the blobs of the <paramref name="damaged"/> chunks under <see cref="QuarantinePrefix"/> (a chunk in a pack:
    /// a copy of its bytes); returns the chunks' storage keys.
    /// </summary>
    private async Task<IReadOnlyList<string>> QuarantineAsync(IReadOnlyList<ChunkRecord> damaged, CancellationToken cancellationToken)
    {
        var moved = new List<string>();
        foreach (var chunk in damaged)
        {
            var temp = Path.Combine(Path.GetTempPath(), $"larder-quarantine-{Guid.NewGuid():N}");
            try
            {
                var source = await OpenChunkAsync(chunk, cancellationToken).ConfigureAwait(false);
                await using (source.ConfigureAwait(false))
                {
                    var target = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, BufferSize, FileOptions.Asynchronous);
                    await using (target.ConfigureAwait(false))
                    {
                        await source.CopyToAsync(target, cancellationToken).ConfigureAwait(false);
                    }
                }
                if (chunk.PackKey is null)
                {
                    await blobs.PutFileAsync(QuarantinePrefix + chunk.StorageKey, temp, cancellationToken).ConfigureAwait(false);
                    await blobs.DeleteAsync(chunk.StorageKey, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    // The pack's other chunks stay served: only a copy of this one's bytes moves; the pack goes with its last chunk.
                    await blobs.PutFileAsync($"{QuarantinePrefix}{chunk.PackKey}-{chunk.PackOffset}", temp, cancellationToken).ConfigureAwait(false);
                }
                moved.Add(chunk.StorageKey);
            }
            catch (BlobNotFoundException)
            {
                // Already gone: nothing to move, and nothing left to serve.
            }
            finally
            {
                File.Delete(temp);
            }
        }
        return moved;
    }

    /// <summary>
    /// Deletes every path using the NAR, in every cache, with the paths referencing it, and tells the serving replicas;
    /// returns what went.
    /// </summary>
    private async Task<IReadOnlyList<HiddenPath>> HidePathsAsync(NarRecord nar, CancellationToken cancellationToken)
    {
        var hidden = new List<HiddenPath>();
        foreach (var (cacheId, hashPart) in await metadata.ListPathsUsingNarAsync(nar.Id, cancellationToken).ConfigureAwait(false))
        {
            var deletion = await metadata.DeletePathAsync(
                cacheId, hashPart, recursive: true, dryRun: false, QuarantineReason, null, time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
            if (!deletion.Deleted)
            {
                continue;
            }
            await serving.PathsChangedAsync(cacheId, [.. deletion.Group.Select(p => p.HashPart)], cancellationToken).ConfigureAwait(false);
            var seed = deletion.Path!.StorePath;
            hidden.AddRange(deletion.Group.Select(p => new HiddenPath(cacheId, p.StorePath, p.StorePath == seed ? null : seed)));
        }
        return hidden;
    }

    private static VerifyProblem Problem(NarRecord nar, ChunkRecord chunk, VerifyProblemKind kind, string detail) =>
        new(nar.Id, nar.NarHash, chunk.StorageKey, kind, detail);

    private static void Compare(
        List<VerifyProblem> problems, NarRecord nar, string? key, VerifyProblemKind kind, string what, string expectedHash, long expectedSize, NixHasher actual)
    {
        var hash = actual.GetCurrentHash();
        if (actual.Length != expectedSize || !NixHash.TryParse(expectedHash, out var expected) || !expected.Equals(hash))
        {
            problems.Add(new VerifyProblem(nar.Id, nar.NarHash, key, kind,
                $"{what} is {hash.ToNix32String()} ({actual.Length} bytes), recorded {expectedHash} ({expectedSize} bytes)"));
        }
    }
}
