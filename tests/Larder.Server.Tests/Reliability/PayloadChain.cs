using Larder.Testing;

namespace Larder.Server.Tests.Reliability;

/// <summary>
/// A chain of real store paths built by plain derivations (no nixpkgs): member k holds random bytes and refers to
/// members k-1 and k-2, so pushes of different members have overlapping closures. Every fourth member is large enough
/// to be cut into several chunks.
/// </summary>
internal sealed class PayloadChain
{
    private const string Expression = """
        { n, salt, smallBytes, largeBytes }:
        let
          members = builtins.genList mk (n + 1);
          mk = k: derivation {
            name = "reliability-${toString k}";
            builder = "/bin/sh";
            system = builtins.currentSystem;
            PATH = "/usr/bin:/bin";
            inherit salt;
            args = [ "-c" ''
              mkdir -p $out
              head -c ${toString (if k - (k / 4) * 4 == 0 then largeBytes else smallBytes)} /dev/urandom > $out/payload
              ${if k >= 1 then "echo ${builtins.elemAt members (k - 1)} > $out/deps" else ""}
              ${if k >= 2 then "echo ${builtins.elemAt members (k - 2)} >> $out/deps" else ""}
            '' ];
          };
        in builtins.elemAt members n
        """;

    private PayloadChain(IReadOnlyList<string> members) => Members = members;

    /// <summary>The store paths of members 0 … n; the closure of member k is members 0 … k.</summary>
    public IReadOnlyList<string> Members { get; }

    /// <summary>Builds members 0 … <paramref name="n"/> with a fresh salt (new store paths).</summary>
    public static async Task<PayloadChain> BuildAsync(NixPeer nix, int n, int smallBytes = 64 << 10, long largeBytes = 3 << 20)
    {
        var file = Path.Combine(nix.Root, $"reliability-chain-{Guid.NewGuid():N}.nix");
        await File.WriteAllTextAsync(file, Expression);
        // Not RunNixAsync's 3 minutes: the long runs build a 2 GiB member.
        var top = (await ProcessRunner.RunAsync("nix-build",
        [
            file, "--no-out-link", "--arg", "n", n.ToString(), "--argstr", "salt", Guid.NewGuid().ToString(),
            "--arg", "smallBytes", smallBytes.ToString(), "--arg", "largeBytes", largeBytes.ToString(),
        ], new ProcessOptions { Environment = nix.Environment, Timeout = TimeSpan.FromMinutes(20) })).EnsureSuccess().Stdout.Trim();
        var closure = (await nix.RunNixAsync("nix-store", "--query", "--requisites", top)).Stdout
            .Split('\n', StringSplitOptions.RemoveEmptyEntries);
        return new PayloadChain(closure.OrderBy(MemberIndex).ToArray());
    }

    private static int MemberIndex(string storePath) => int.Parse(storePath[(storePath.LastIndexOf('-') + 1)..]);
}
