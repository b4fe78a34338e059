using Larder.Cli.Commands.Explain;

namespace Larder.Cli.Tests.Explain;

/// <summary>What <c>larder explain</c> reads from Nix: <c>nix show-config</c> and both JSON forms of <c>nix show-derivation</c>.</summary>
public sealed class ExplainParsingTests
{
    private const string Key = "cache.example.org-1:6NCHdD59X431o0gWypbMrAURkbJ16ZPMQFGspcDShjY=";

    [Theory]
    [InlineData("substituters = https://a.example/x?priority=10 file:///srv/c/\n", new[] { "https://a.example/x", "file:///srv/c" }, true)]
    [InlineData("substituters =\nrequire-sigs = false\n", new string[0], false)]
    [InlineData("require-sigs = true\nsubstituters = http://h/c\n", new[] { "http://h/c" }, true)]
    public void Show_config_gives_substituters_without_queries_and_require_sigs(string text, string[] substituters, bool requireSigs)
    {
        var settings = NixSettings.Parse(text);

        Assert.Equal(substituters, settings.Substituters);
        Assert.Equal(requireSigs, settings.RequireSigs);
    }

    [Fact]
    public void Malformed_trusted_keys_are_ignored_as_Nix_ignores_them()
    {
        var settings = NixSettings.Parse($"trusted-public-keys = broken {Key} other:notbase64!\n");

        Assert.Equal(["cache.example.org-1"], settings.TrustedPublicKeys.Select(k => k.Name));
    }

    [Theory]
    // Nix 2.8: full paths, input derivations as lists of output names.
    [InlineData("""
        {"/s/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-top.drv": {"outputs": {"out": {"path": "/s/bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb-top"}},
          "inputSrcs": ["/s/cccccccccccccccccccccccccccccccc-src"], "inputDrvs": {"/s/dddddddddddddddddddddddddddddddd-dep.drv": ["out", "dev"]},
          "system": "x86_64-linux", "builder": "/bin/sh", "args": ["-c", "x"], "env": {"salt": "1"}}}
        """)]
    // Newer Nix: base names, input derivations as objects with "outputs".
    [InlineData("""
        {"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-top.drv": {"outputs": {"out": {"path": "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb-top"}},
          "inputSrcs": ["cccccccccccccccccccccccccccccccc-src"], "inputDrvs": {"dddddddddddddddddddddddddddddddd-dep.drv": {"outputs": ["out", "dev"], "dynamicOutputs": {}}},
          "system": "x86_64-linux", "builder": "/bin/sh", "args": ["-c", "x"], "env": {"salt": "1"}}}
        """)]
    public void Both_derivation_json_forms_give_full_paths(string json)
    {
        var drv = Assert.Single(DerivationReader.Parse(json, "/s").Values);

        Assert.Equal("/s/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-top.drv", drv.Path);
        Assert.Equal("/s/bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb-top", drv.Outputs["out"]);
        Assert.Equal(["out", "dev"], drv.InputDrvs["/s/dddddddddddddddddddddddddddddddd-dep.drv"]);
        Assert.Equal(["/s/cccccccccccccccccccccccccccccccc-src"], drv.InputSrcs);
        Assert.Equal("1", drv.Env["salt"]);
    }
}
