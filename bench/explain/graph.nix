# A derivation graph for the explain benchmark, without nixpkgs. `base` is `pushed` derivations in chains of `chain`
# (each output refers to the one before it); `app` is the rest of `count`, each app-j depending on a base derivation
# and on the app before it in its chain (reading `appSalt`); `root` depends on the last app of every chain. With the
# base layer built and pushed, explaining `root` finds the base layer substitutable and every app to be built.
{ count ? 5000, pushed ? 500, chain ? 50, salt ? "", appSalt ? "v1" }:
let
  apps = count - pushed;
  mk = name: extra: deps: derivation ({
    inherit name salt;
    builder = "/bin/sh";
    system = builtins.currentSystem;
    PATH = "/usr/bin:/bin";
    args = [ "-c" ("mkdir -p $out; echo ${name} > $out/value" + builtins.concatStringsSep "" (map (d: "; echo ${d} >> $out/deps") deps)) ];
  } // extra);
  startsChain = i: i - (i / chain) * chain == 0;
  # lazy lists memoize: each element is evaluated once however many derivations refer to it
  base = builtins.genList (i: mk "base-${toString i}" {} (if startsChain i then [] else [ (builtins.elemAt base (i - 1)) ])) pushed;
  app = builtins.genList (j: mk "app-${toString j}" { inherit appSalt; }
    ([ (builtins.elemAt base (j - (j / pushed) * pushed)) ] ++ (if startsChain j then [] else [ (builtins.elemAt app (j - 1)) ]))) apps;
  tails = list: n: builtins.genList (c: builtins.elemAt list (if (c + 1) * chain > n then n - 1 else (c + 1) * chain - 1)) ((n + chain - 1) / chain);
in {
  base = mk "base-root" {} (tails base pushed);
  root = mk "root" {} (tails app apps);
}
