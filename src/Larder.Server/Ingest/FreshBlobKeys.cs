using System.Security.Cryptography;
using Larder.Nix.Hashing;

namespace Larder.Server.Ingest;

/// <summary>
/// Blob keys that are never reused: the content hash, sharded by its first two characters, plus a random suffix
/// (<c>chunks/ab/&lt;nix32&gt;-&lt;12 hex&gt;.zst</c>). Deleting a key therefore never races a new put of the same
/// key; the same content uploaded twice is deduplicated by the metadata (one chunk row per hash), not by the key.
/// </summary>
public static class FreshBlobKeys
{
    /// <summary>A key for a zstd chunk whose uncompressed bytes have <paramref name="hash"/>.</summary>
    public static string Chunk(NixHash hash) => Make("chunks", hash, ".zst");

    /// <summary>A key for the <c>.ls</c> listing of the NAR with <paramref name="narHash"/>.</summary>
    public static string Listing(NixHash narHash) => Make("listings", narHash, ".ls");

    /// <summary>A key for a build log whose text has <paramref name="hash"/>.</summary>
    public static string Log(NixHash hash) => Make("logs", hash, ".log");

    private static string Make(string directory, NixHash hash, string extension)
    {
        var name = hash.ToBase32();
        return $"{directory}/{name[..2]}/{name}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6))}{extension}";
    }
}
