using Larder.Nix.Hashing;
using Larder.Nix.Signing;
using Larder.Nix.Store;

namespace Larder.Nix.Tests.Signing;

public class FingerprintTests
{
    private static readonly StorePath Path = StorePath.Parse("/nix/store/rldp5xvbx7xya0sc347kmvm3z1q8az7c-larder-fixture-4");
    private static readonly NixHash Hash = NixHash.Parse("sha256:0kpfmh39as0mfwba4zm34y5cmwqb3vyx9kk5pwbb5j43ij1adjdj");

    [Fact]
    public void Fingerprint_has_nixs_layout_with_sorted_full_reference_paths()
    {
        string[] references =
        [
            "/nix/store/mk43m2mx7mqs6x3yng7fd7brv9y690j9-larder-fixture-2",
            "/nix/store/8izvn3vk6cwzqrdb0yg8m69fnym6rkpn-larder-fixture-3",
        ];
        Assert.Equal(
            "1;/nix/store/rldp5xvbx7xya0sc347kmvm3z1q8az7c-larder-fixture-4;sha256:0kpfmh39as0mfwba4zm34y5cmwqb3vyx9kk5pwbb5j43ij1adjdj;20784;" +
            "/nix/store/8izvn3vk6cwzqrdb0yg8m69fnym6rkpn-larder-fixture-3,/nix/store/mk43m2mx7mqs6x3yng7fd7brv9y690j9-larder-fixture-2",
            Fingerprint.For(Path, Hash, 20784, references));
        Assert.Equal(Fingerprint.For(Path, Hash, 20784, references), Fingerprint.For(Path, Hash, 20784, references.Select(StorePath.Parse)));
    }

    [Fact]
    public void Fingerprint_without_references_ends_with_a_semicolon() =>
        Assert.EndsWith(";20784;", Fingerprint.For(Path, Hash, 20784, Array.Empty<string>()));

    [Fact]
    public void Fingerprint_uses_nix32_even_for_hashes_parsed_from_sri() =>
        Assert.Contains(";sha256:0kpfmh39as0mfwba4zm34y5cmwqb3vyx9kk5pwbb5j43ij1adjdj;",
            Fingerprint.For(Path, NixHash.Parse(Hash.ToSri()), 1, Array.Empty<string>()));

    [Fact]
    public void Fingerprint_needs_a_known_size_and_hash()
    {
        Assert.Contains("NAR size is not known", Assert.Throws<ArgumentOutOfRangeException>(() => Fingerprint.For(Path, Hash, 0, Array.Empty<string>())).Message);
        Assert.Contains("no NAR hash", Assert.Throws<ArgumentException>(() => Fingerprint.For(Path, default, 1, Array.Empty<string>())).Message);
    }
}
