using System.Text.Json;
using Larder.Nix.Hashing;
using Larder.Nix.Signing;
using Larder.Nix.Store;
using Larder.Testing;

namespace Larder.Nix.Tests.Signing;

/// <summary>Keys and signatures exchanged with the real Nix in both directions.</summary>
public class NixSigningInteropTests
{
    [Fact]
    public async Task Nix_signs_with_our_key_file_exactly_as_we_do_and_trusts_our_public_key()
    {
        var peer = await NixPeer.GetAsync();
        string output = await peer.BuildChainAsync(2, $"nixcore-interop-{Guid.NewGuid():N}");
        using var dir = new TempDirectory("larder-signing");
        var ours = SecretKey.Generate("larder-interop-1");
        string keyFile = Path.Combine(dir.Path, "sk");
        await File.WriteAllTextAsync(keyFile, ours.ToString());

        await peer.RunNixAsync("nix", "store", "sign", "--key-file", keyFile, output);
        var info = await PathInfoAsync(peer, output);
        string fingerprint = Fingerprint.For(
            StorePath.Parse(output), NixHash.Parse(info.GetProperty("narHash").GetString()!), info.GetProperty("narSize").GetInt64(),
            info.GetProperty("references").EnumerateArray().Select(r => r.GetString()!));
        string nixSignature = info.GetProperty("signatures").EnumerateArray().Select(s => s.GetString()!)
            .Single(s => s.StartsWith("larder-interop-1:", StringComparison.Ordinal));

        Assert.Equal(ours.Sign(fingerprint), nixSignature);
        Assert.True(ours.PublicKey.Verify(fingerprint, nixSignature));

        var trusted = await NixPeer.TryRunNixAsync(peer.Environment, "nix", "store", "verify", "--no-contents", "--sigs-needed", "1",
            "--option", "trusted-public-keys", ours.PublicKey.ToString(), output);
        Assert.True(trusted.ExitCode == 0, trusted.Stderr);
        var untrusted = await NixPeer.TryRunNixAsync(peer.Environment, "nix", "store", "verify", "--no-contents", "--sigs-needed", "1",
            "--option", "trusted-public-keys", SecretKey.Generate("larder-interop-1").PublicKey.ToString(), output);
        Assert.NotEqual(0, untrusted.ExitCode);
    }

    [Fact]
    public async Task Keys_from_nix_generate_binary_cache_key_verify_nixs_signatures_in_our_code()
    {
        var peer = await NixPeer.GetAsync();
        string output = await peer.BuildChainAsync(1, $"nixcore-interop-{Guid.NewGuid():N}");
        using var dir = new TempDirectory("larder-signing");
        string sk = Path.Combine(dir.Path, "sk");
        string pk = Path.Combine(dir.Path, "pk");
        await peer.RunNixAsync("nix-store", "--generate-binary-cache-key", "nix-made-1", sk, pk);
        await peer.RunNixAsync("nix", "store", "sign", "--key-file", sk, output);
        var info = await PathInfoAsync(peer, output);
        string fingerprint = Fingerprint.For(
            StorePath.Parse(output), NixHash.Parse(info.GetProperty("narHash").GetString()!), info.GetProperty("narSize").GetInt64(),
            info.GetProperty("references").EnumerateArray().Select(r => r.GetString()!));
        string nixSignature = info.GetProperty("signatures").EnumerateArray().Select(s => s.GetString()!)
            .Single(s => s.StartsWith("nix-made-1:", StringComparison.Ordinal));

        Assert.True(PublicKey.Parse(await File.ReadAllTextAsync(pk)).Verify(fingerprint, nixSignature));
        Assert.Equal(nixSignature, SecretKey.Parse(await File.ReadAllTextAsync(sk)).Sign(fingerprint));
    }

    private static async Task<JsonElement> PathInfoAsync(NixPeer peer, string path)
    {
        var result = await peer.RunNixAsync("nix", "path-info", "--json", path);
        using var document = JsonDocument.Parse(result.Stdout);
        return document.RootElement[0].Clone();
    }
}
