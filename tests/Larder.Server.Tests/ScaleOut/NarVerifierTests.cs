using System.Security.Cryptography;
using Larder.Nix.Compression;
using Larder.Nix.Encoding;
using Larder.Nix.Hashing;
using Larder.Server.BinaryCache.Serving;
using Larder.Server.Maintenance.Verify;
using Larder.Server.Metadata;
using Larder.Server.Metadata.Sqlite;
using Larder.Server.Storage;
using Larder.Server.Storage.Folder;
using Larder.Server.Tests.Metadata;
using Larder.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace Larder.Server.Tests.ScaleOut;

/// <summary>
/// <see cref="NarVerifier"/> on SQLite + a folder with real zstd chunks: sound NARs pass, and each kind of damage is
/// reported as what it is; quarantine moves the damaged blobs aside.
/// </summary>
public sealed class NarVerifierTests : IDisposable
{
    private static readonly CancellationToken Ct = CancellationToken.None;
    private readonly TempDirectory _dir = new("larder-verify");
    private readonly SqliteMetadataStore _metadata;
    private readonly FolderBlobStore _blobs;
    private readonly CacheRecord _cache;

    public NarVerifierTests()
    {
        _metadata = SqliteMetadataStore.ForFile(Path.Combine(_dir.Path, "larder.db"));
        _metadata.MigrateAsync(Ct).GetAwaiter().GetResult();
        _blobs = new FolderBlobStore(Path.Combine(_dir.Path, "blobs"));
        _cache = _metadata.CreateCacheAsync(MetadataSamples.Cache(), Ct).GetAwaiter().GetResult();
    }

    public enum Damage
    {
        None,
        FlipStoredByte,
        DeleteBlob,
        ReplaceWithOtherValidChunk,
        RecordWrongNarHash,
        RecordWrongNarSize,
        TruncateBlob,
    }

    [Theory]
    [InlineData(Damage.None, new VerifyProblemKind[0])]
    [InlineData(Damage.DeleteBlob, new[] { VerifyProblemKind.MissingBlob })]
    [InlineData(Damage.RecordWrongNarHash, new[] { VerifyProblemKind.NarHashMismatch })]
    [InlineData(Damage.RecordWrongNarSize, new[] { VerifyProblemKind.NarHashMismatch })]
    [InlineData(Damage.ReplaceWithOtherValidChunk, new[] { VerifyProblemKind.StoredHashMismatch, VerifyProblemKind.ChunkHashMismatch, VerifyProblemKind.FileHashMismatch, VerifyProblemKind.NarHashMismatch })]
    public async Task Verify_reports_each_kind_of_damage_as_itself(Damage damage, VerifyProblemKind[] expected)
    {
        var nar = await StoreNarAsync(damage);

        var report = await NewVerifier().VerifyAllAsync(quarantine: false, null, Ct);

        Assert.Equal(1, report.NarsChecked);
        Assert.Equal(expected.Order(), report.Problems.Select(p => p.Kind).Order());
        Assert.All(report.Problems, p => Assert.Equal(nar.NarHash, p.NarHash));
        Assert.Equal(expected.Length == 0, report.Clean);
    }

    [Theory]
    [InlineData(Damage.FlipStoredByte)]
    [InlineData(Damage.TruncateBlob)]
    public async Task Corrupt_compressed_bytes_are_reported_as_corrupt(Damage damage)
    {
        await StoreNarAsync(damage);

        var report = await NewVerifier().VerifyAllAsync(quarantine: false, null, Ct);

        Assert.Contains(report.Problems, p => p.Kind == VerifyProblemKind.StoredHashMismatch);
        Assert.Contains(report.Problems, p => p.Kind is VerifyProblemKind.Undecompressible or VerifyProblemKind.ChunkHashMismatch);
    }

    [Fact]
    public async Task Verify_pages_through_every_nar_and_counts_the_bytes()
    {
        long stored = 0;
        for (var i = 0; i < 450; i++)
        {
            stored += (await StoreNarAsync(Damage.None, size: 100 + i)).FileSize;
        }
        var seen = new List<VerifyProgress>();

        var report = await NewVerifier().VerifyAllAsync(false, new SynchronousProgress(seen), Ct);

        Assert.True(report.Clean);
        Assert.Equal(450, report.NarsChecked);
        Assert.Equal(stored, report.BytesRead);
        Assert.Equal(450, seen.Count);
    }

    [Fact]
    public async Task Quarantine_moves_the_bad_blobs_aside_and_keeps_the_good_ones()
    {
        var good = await StoreNarAsync(Damage.None);
        var bad = await StoreNarAsync(Damage.FlipStoredByte);

        var report = await NewVerifier().VerifyAllAsync(quarantine: true, null, Ct);

        var badKey = bad.Chunks[0].StorageKey;
        Assert.Equal([badKey], report.Quarantined);
        Assert.Null(await _blobs.GetSizeAsync(badKey, Ct));
        Assert.NotNull(await _blobs.GetSizeAsync(NarVerifier.QuarantinePrefix + badKey, Ct));
        Assert.NotNull(await _blobs.GetSizeAsync(good.Chunks[0].StorageKey, Ct));
        var again = await NewVerifier().VerifyAllAsync(quarantine: true, null, Ct);
        Assert.Equal([VerifyProblemKind.MissingBlob], again.Problems.Select(p => p.Kind));
    }

    [Fact]
    public async Task Quarantine_hides_the_paths_of_a_bad_nar_in_every_cache_with_their_dependents_and_records_why()
    {
        var other = await _metadata.CreateCacheAsync(MetadataSamples.Cache(), Ct);
        var (badPath, dependent, unrelated) = (MetadataSamples.HashPart(), MetadataSamples.HashPart(), MetadataSamples.HashPart());
        var bad = await StoreNarAsync(Damage.FlipStoredByte, hashPart: badPath);
        await StoreNarAsync(Damage.None, hashPart: dependent, references: [MetadataSamples.BaseName(badPath)]);
        await StoreNarAsync(Damage.None, hashPart: unrelated);
        await _metadata.CommitPathAsync(MetadataSamples.Commit(other.Id, badPath, bad), Ct);

        var report = await NewVerifier().VerifyAllAsync(quarantine: true, null, Ct);

        Assert.Null(await _metadata.GetPathAsync(_cache.Id, badPath, Ct));
        Assert.Null(await _metadata.GetPathAsync(_cache.Id, dependent, Ct));
        Assert.Null(await _metadata.GetPathAsync(other.Id, badPath, Ct));
        Assert.NotNull(await _metadata.GetPathAsync(_cache.Id, unrelated, Ct));
        Assert.Equal(
            new[] { (_cache.Id, badPath, (string?)null), (_cache.Id, dependent, $"/nix/store/{MetadataSamples.BaseName(badPath)}"), (other.Id, badPath, null) }.Order(),
            report.Hidden.Select(h => (h.CacheId, Path.GetFileName(h.StorePath)[..32], h.BecauseOf)).Order());
        var events = await _metadata.ListEventsAsync(_cache.Id, 10, Ct);
        Assert.Equal(2, events.Count(e => e.Kind == "delete" && e.Reason == NarVerifier.QuarantineReason));
        // Pushing the content again must store it afresh, not point at the quarantined NAR or chunk.
        Assert.Null(await _metadata.GetNarByNarHashAsync(bad.NarHash, Ct));
        Assert.Empty(await _metadata.FindChunksAsync([bad.Chunks[0].Hash], MetadataSamples.T0, Ct));
    }

    public void Dispose()
    {
        _metadata.Dispose();
        _dir.Dispose();
    }

    private NarVerifier NewVerifier() => new(
        _metadata, _blobs, new ServingChanges(new NarInfoMemory(TimeProvider.System), _metadata, NullLogger<ServingChanges>.Instance), TimeProvider.System);

    /// <summary>Stores a random NAR-sized payload as one zstd chunk and commits a path for it, damaged as asked.</summary>
    private async Task<NarRecord> StoreNarAsync(Damage damage, int size = 5000, string? hashPart = null, IReadOnlyList<string>? references = null)
    {
        var plain = RandomNumberGenerator.GetBytes(size);
        var compressed = Compress(plain);
        var narHash = NixHash.Compute(HashKind.Sha256, plain);
        var fileHash = NixHash.Compute(HashKind.Sha256, compressed);
        var key = $"chunks/{narHash.ToBase32()}.zst";
        var stored = damage switch
        {
            Damage.FlipStoredByte => Flip(compressed),
            Damage.TruncateBlob => compressed[..(compressed.Length / 2)],
            Damage.ReplaceWithOtherValidChunk => Compress(RandomNumberGenerator.GetBytes(size)),
            _ => compressed,
        };
        var file = Path.Combine(_dir.Path, Guid.NewGuid().ToString("N"));
        await File.WriteAllBytesAsync(file, stored);
        await _blobs.PutFileAsync(key, file, Ct);
        if (damage == Damage.DeleteBlob)
        {
            await _blobs.DeleteAsync(key, Ct);
        }
        var recordedNarHash = damage == Damage.RecordWrongNarHash
            ? "sha256:" + NixBase32.Encode(RandomNumberGenerator.GetBytes(32))
            : narHash.ToNix32String();
        var recordedSize = damage == Damage.RecordWrongNarSize ? size + 1 : size;
        var chunk = new ChunkRecord(narHash.ToNix32String(), key, size, fileHash.ToNix32String(), compressed.Length, "zstd");
        var nar = new NarRecord(0, recordedNarHash, recordedSize, "zstd", fileHash.ToNix32String(), compressed.Length, [chunk], null, MetadataSamples.T0);
        var result = await _metadata.CommitNewAsync(MetadataSamples.Commit(_cache.Id, hashPart, nar, references), Ct);
        Assert.Equal(CommitOutcome.Committed, result.Outcome);
        return nar;
    }

    private static byte[] Compress(byte[] plain)
    {
        using var output = new MemoryStream();
        using (var zstd = Codecs.Compress(output, CompressionKind.Zstd, null, leaveOpen: true))
        {
            zstd.Write(plain);
        }
        return output.ToArray();
    }

    private static byte[] Flip(byte[] bytes)
    {
        var copy = (byte[])bytes.Clone();
        copy[copy.Length / 2] ^= 0x5a;
        return copy;
    }

    private sealed class SynchronousProgress(List<VerifyProgress> seen) : IProgress<VerifyProgress>
    {
        public void Report(VerifyProgress value) => seen.Add(value);
    }
}
