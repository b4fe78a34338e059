using Larder.Nix.Hashing;
using Larder.Nix.Streams;

namespace Larder.Nix.Nar;

/// <summary>NarHash and NarSize of a file system path, computed while its NAR streams through a hash (never stored).</summary>
public static class NarHashing
{
    /// <summary>Hashes the NAR serialization of <paramref name="path"/>, like <c>nix-hash --type sha256 PATH</c>.</summary>
    public static async Task<NarHashResult> HashPathAsync(string path, CancellationToken cancellationToken = default)
    {
        await using var sink = new HashingStream(Stream.Null, HashKind.Sha256, leaveOpen: true);
        await NarWriter.WriteAsync(path, sink, cancellationToken).ConfigureAwait(false);
        return new NarHashResult(sink.GetHash(), sink.Length);
    }
}
