namespace Larder.Cli.Tests.EndToEnd;

/// <summary><c>larder use</c> edits nix.conf idempotently and without disturbing what is already there.</summary>
public sealed class UseTests(LarderFixture fixture) : IClassFixture<LarderFixture>
{
    private const string ExistingContent = """
        # my settings, keep me
        max-jobs = 4
        extra-substituters = https://other.example.org   # a comment after values
        keep-outputs = true
        """;

    [Fact]
    public async Task Use_is_idempotent_and_preserves_existing_lines_and_comments()
    {
        var cache = await fixture.CreateCacheAsync("use");
        var nixConf = fixture.NewNixConf(ExistingContent);
        var before = File.ReadAllText(nixConf);

        var first = await fixture.RunAsync("use", cache, "--nix-conf", nixConf);
        var afterFirst = File.ReadAllText(nixConf);
        var second = await fixture.RunAsync("use", cache, "--nix-conf", nixConf);

        Assert.True(first.ExitCode == 0, first.Stderr);
        Assert.Contains("added substituter", first.Stdout);
        Assert.True(second.ExitCode == 0, second.Stderr);
        Assert.Contains("nothing to change", second.Stdout);
        Assert.Equal(afterFirst, File.ReadAllText(nixConf));
        foreach (var line in before.Split('\n').Where(l => !l.StartsWith("extra-substituters", StringComparison.Ordinal)))
        {
            Assert.Contains(line, afterFirst);
        }
        Assert.Contains($"extra-substituters = https://other.example.org {fixture.Server.BaseUrl}/{cache}", afterFirst);
        Assert.Equal(before, File.ReadAllText(nixConf + ".bak"));
    }

    [Fact]
    public async Task Use_creates_a_missing_nix_conf_and_reports_json()
    {
        var cache = await fixture.CreateCacheAsync("usenew");
        var nixConf = Path.Combine(fixture.Root, $"new-{Guid.NewGuid():N}", "nix.conf");

        var result = await fixture.RunAsync("use", cache, "--nix-conf", nixConf, "--json");

        Assert.True(result.ExitCode == 0, result.Stderr);
        using var json = System.Text.Json.JsonDocument.Parse(result.Stdout);
        Assert.Equal(2, json.RootElement.GetProperty("changes").GetArrayLength());
        var text = File.ReadAllText(nixConf);
        Assert.StartsWith("extra-substituters = ", text);
        Assert.Contains("extra-trusted-public-keys = ", text);
    }
}
