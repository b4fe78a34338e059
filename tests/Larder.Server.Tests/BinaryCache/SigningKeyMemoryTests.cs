using Larder.Nix.Signing;
using Larder.Server.Ingest;
using Larder.Server.Tests.Metadata;

namespace Larder.Server.Tests.BinaryCache;

public sealed class SigningKeyMemoryTests
{
    [Fact]
    public void A_cache_key_is_parsed_once_and_anew_after_rotation()
    {
        var memory = new SigningKeyMemory();
        var cache = MetadataSamples.Cache() with { Id = 1, SigningKey = SecretKey.Generate("c-1").ToString() };

        var first = memory.For(cache);
        Assert.Same(first, memory.For(cache));

        var rotated = cache with { SigningKey = SecretKey.Generate("c-2").ToString() };
        var second = memory.For(rotated);
        Assert.Equal("c-2", second.Name);
        Assert.Same(second, memory.For(rotated));
        Assert.Equal("c-1", memory.For(cache).Name);
    }
}
