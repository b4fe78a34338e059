using Larder.Nix.Hashing;

namespace Larder.Nix.Tests.Hashing;

public class NixHasherTests
{
    [Fact]
    public async Task HashStreamAsync_returns_hash_and_length()
    {
        var data = new byte[200_000];
        new Random(7).NextBytes(data);
        var (hash, length) = await NixHasher.HashStreamAsync(new MemoryStream(data));
        Assert.Equal(200_000, length);
        Assert.Equal(NixHash.Compute(HashKind.Sha256, data), hash);
    }

    [Fact]
    public void Hasher_current_hash_does_not_reset()
    {
        using var hasher = new NixHasher();
        hasher.Append("ab"u8);
        Assert.Equal(NixHash.Compute(HashKind.Sha256, "ab"u8), hasher.GetCurrentHash());
        hasher.Append("c"u8);
        Assert.Equal(3, hasher.Length);
        Assert.Equal(NixHash.Compute(HashKind.Sha256, "abc"u8), hasher.GetHashAndReset());
        Assert.Equal(0, hasher.Length);
    }
}
