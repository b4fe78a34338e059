using System.Security.Cryptography;
using Larder.Server.Metadata;

namespace Larder.Server.Tests.Metadata;

/// <summary>Builders of valid-looking metadata records with unique hashes, for store tests.</summary>
public static class MetadataSamples
{
    private const string Nix32Alphabet = "0123456789abcdfghijklmnpqrsvwxyz";

    /// <summary>A fixed instant with whole milliseconds (every backend stores at least that precision).</summary>
    public static readonly DateTimeOffset T0 = new(2026, 11, 21, 12, 0, 0, TimeSpan.Zero);

    /// <summary>A random 32-character Nix base32 string (a store path hash part).</summary>
    public static string HashPart() => RandomNix32(32);

    /// <summary>A random <c>sha256:</c> hash in nix32 (52 characters).</summary>
    public static string Sha256() => "sha256:" + RandomNix32(52);

    public static string UniqueName(string prefix = "c") => $"{prefix}-{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 13, 64)];

    public static CacheRecord Cache(string? name = null, bool isPublic = false) => new(
        0, name ?? UniqueName(), isPublic, 40, "/nix/store", "k-1:c2VjcmV0", ["cache.nixos.org-1"], T0);

    public static NarRecord Nar(string? narHash = null, int chunks = 1)
    {
        var hash = narHash ?? Sha256();
        var chunkList = Enumerable.Range(0, chunks)
            .Select(i => new ChunkRecord(Sha256(), $"chunks/{hash[7..]}-{i}.zst", 1000 + i, Sha256(), 400 + i, "zstd"))
            .ToList();
        return new NarRecord(0, hash, 1000L * chunks, "zstd", Sha256(), chunkList.Sum(c => c.StoredSize), chunkList, $"listings/{hash[7..]}.ls", T0);
    }

    public static string BaseName(string hashPart, string name = "pkg") => $"{hashPart}-{name}";

    public static CommitRequest Commit(
        long cacheId, string? hashPart = null, NarRecord? nar = null, IReadOnlyList<string>? references = null,
        IReadOnlyList<string>? signatures = null, long? stagedId = null, DateTimeOffset? at = null)
    {
        var hp = hashPart ?? HashPart();
        return new CommitRequest(
            cacheId, hp, $"/nix/store/{BaseName(hp)}", nar ?? Nar(), references ?? [], BaseName(HashPart(), "pkg.drv"),
            signatures ?? ["k-1:c2ln"], null, stagedId, 7, at ?? T0);
    }

    public static StagedNarRecord Staged(long cacheId, string uploadUrl, NarRecord? nar = null, DateTimeOffset? at = null)
    {
        var n = nar ?? Nar();
        return new StagedNarRecord(
            0, cacheId, uploadUrl, Sha256(), 1234, n.NarHash, n.NarSize, n.FileHash, n.FileSize, n.Chunks, n.ListingKey, at ?? T0);
    }

    public static TokenRecord Token(params TokenGrant[] grants) => new(
        0, "test token", Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32)),
        grants.Length > 0 ? grants : [new TokenGrant("*", Permission.Read)], T0, null, null);

    /// <summary>
    /// Commits as the server does after an ingest: the blobs of a NAR the store does not hold yet are first announced
    /// as intents (<see cref="IMetadataStore.RecordBlobIntentsAsync"/>), which the commit claims. A NAR already held is
    /// reused and announces nothing.
    /// </summary>
    public static async Task<CommitResult> CommitNewAsync(this IMetadataStore store, CommitRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(request);
        await AnnounceAsync(store, request.Nar.NarHash, request.Nar.Chunks, request.Nar.ListingKey, request.At, cancellationToken);
        return await store.CommitPathAsync(request, cancellationToken);
    }

    /// <summary>Stages an upload as the server does after an ingest (see <see cref="CommitNewAsync"/>).</summary>
    public static async Task<StagedNarRecord> StageNewAsync(this IMetadataStore store, StagedNarRecord staged, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(staged);
        await AnnounceAsync(store, staged.NarHash, staged.Chunks, staged.ListingKey, staged.CreatedAt, cancellationToken);
        return await store.AddStagedNarAsync(staged, cancellationToken);
    }

    private static async Task AnnounceAsync(
        IMetadataStore store, string narHash, IReadOnlyList<ChunkRecord> chunks, string? listingKey, DateTimeOffset at, CancellationToken cancellationToken)
    {
        if (await store.GetNarByNarHashAsync(narHash, cancellationToken) is not null)
        {
            return;
        }
        var keys = chunks.Select(c => c.StorageKey).ToList();
        if (listingKey is not null)
        {
            keys.Add(listingKey);
        }
        await store.RecordBlobIntentsAsync(keys, at.AddHours(1), cancellationToken);
    }

    private static string RandomNix32(int length) =>
        string.Create(length, 0, static (span, _) =>
        {
            for (var i = 0; i < span.Length; i++)
            {
                span[i] = Nix32Alphabet[RandomNumberGenerator.GetInt32(Nix32Alphabet.Length)];
            }
        });
}
