namespace Larder.Cli.Tests.EndToEnd;

/// <summary>Small Nix expressions (no nixpkgs) written into a test folder.</summary>
internal static class TestExpressions
{
    /// <summary>
    /// <c>dep</c> is needed only to build <c>top</c> (top copies dep's value, keeping no reference to it), so dep is in
    /// top's build-time closure but not its runtime closure.
    /// </summary>
    public const string BuildOnlyDependency = """
        { salt }:
        let
          dep = derivation {
            name = "build-dep"; builder = "/bin/sh"; system = builtins.currentSystem; PATH = "/usr/bin:/bin"; inherit salt;
            args = [ "-c" "mkdir -p $out; echo from-dep > $out/value" ];
          };
          top = derivation {
            name = "build-top"; builder = "/bin/sh"; system = builtins.currentSystem; PATH = "/usr/bin:/bin"; inherit salt;
            args = [ "-c" "mkdir -p $out; cp ${dep}/value $out/value" ];
          };
        in { inherit dep top; }
        """;

    /// <summary>One output with a file of <c>size</c> pseudo-random bytes (a large NAR for part uploads).</summary>
    public const string BigFile = """
        { salt, size }:
        derivation {
          name = "big-file"; builder = "/bin/sh"; system = builtins.currentSystem; PATH = "/usr/bin:/bin"; inherit salt;
          args = [ "-c" "mkdir -p $out; head -c ${toString size} /dev/urandom > $out/blob; echo ${salt} > $out/salt" ];
        }
        """;

    /// <summary>A single small output, e.g. to corrupt on purpose.</summary>
    public const string Single = """
        { salt }:
        derivation {
          name = "single"; builder = "/bin/sh"; system = builtins.currentSystem; PATH = "/usr/bin:/bin"; inherit salt;
          args = [ "-c" "mkdir -p $out; echo ${salt} > $out/value" ];
        }
        """;

    public static string Write(string directory, string name, string text)
    {
        var path = Path.Combine(directory, name);
        File.WriteAllText(path, text);
        return path;
    }
}
