using Larder.Nix.Encoding;
using Larder.Nix.Hashing;
using Larder.Server.Errors;

namespace Larder.Server.Api.Chunks;

/// <summary>Chunk hashes as clients send them: <c>sha256:&lt;nix32&gt;</c> in JSON, the bare nix32 part in a URL.</summary>
internal static class ChunkHashes
{
    private const string Prefix = "sha256:";
    private const int Nix32Length = 52;

    /// <summary>The hash a URL's <c>{nix32}</c> names; 400 unless it is 52 nix32 characters of a SHA-256.</summary>
    public static NixHash ParseNix32(string nix32)
    {
        Span<byte> bytes = stackalloc byte[32];
        if (nix32.Length != Nix32Length || !NixBase32.TryDecode(nix32, bytes))
        {
            throw new InvalidRequestException($"'{nix32}' is not a chunk hash: expected the 52 nix32 characters of a SHA-256");
        }
        return new NixHash(HashKind.Sha256, bytes);
    }

    /// <summary>
    /// Checks a list of <c>sha256:&lt;nix32&gt;</c> hashes (<paramref name="what"/> names it in errors): present, at
    /// most <paramref name="max"/>, each well-formed; 400 otherwise.
    /// </summary>
    public static IReadOnlyList<string> CheckList(IReadOnlyList<string?>? hashes, int max, string what)
    {
        if (hashes is null)
        {
            throw new InvalidRequestException($"{what} has no 'chunks' list");
        }
        if (hashes.Count > max)
        {
            throw new InvalidRequestException($"{what} names {hashes.Count} chunks; at most {max} are accepted per request");
        }
        foreach (var hash in hashes)
        {
            if (hash is null || !hash.StartsWith(Prefix, StringComparison.Ordinal))
            {
                throw new InvalidRequestException($"'{hash}' in {what} is not a chunk hash: expected sha256:<52 nix32 characters>");
            }
            ParseNix32(hash[Prefix.Length..]);
        }
        return hashes!;
    }
}
