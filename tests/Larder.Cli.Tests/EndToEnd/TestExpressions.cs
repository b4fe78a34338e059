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

    /// <summary>
    /// Successive versions of one file of <c>size</c> pseudo-random bytes: version 1 is fresh, each later version copies
    /// the one before, inserts 4 KiB a third of the way in (shifting everything after it) and overwrites 1% of the
    /// bytes in 4 places. Build attribute <c>v1</c>, <c>v2</c>, …; no version references another.
    /// </summary>
    public const string Versions = """
        { salt, size, count ? 2 }:
        let
          make = n: derivation {
            name = "versioned-${toString n}"; builder = "/bin/sh"; system = builtins.currentSystem; PATH = "/usr/bin:/bin"; inherit salt;
            args = [ "-c" (if n == 1 then "mkdir -p $out; head -c ${toString size} /dev/urandom > $out/blob" else ''
              mkdir -p $out
              prev=${make (n - 1)}/blob
              size=$(stat -c %s $prev)
              at=$((size / 3))
              head -c $at $prev > $out/blob
              head -c 4096 /dev/urandom >> $out/blob
              tail -c +$((at + 1)) $prev >> $out/blob
              total=$((size + 4096))
              piece=$((total / 400))
              for i in 1 2 3 4; do
                dd if=/dev/urandom of=$out/blob bs=$piece count=1 seek=$((i * total / 5 / piece)) conv=notrunc 2>/dev/null
              done
            '') ];
          };
        in builtins.listToAttrs (builtins.genList (i: { name = "v${toString (i + 1)}"; value = make (i + 1); }) count)
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
