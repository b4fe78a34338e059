using System.Net.Http.Headers;
using System.Text.Json;

namespace Larder.Cli.Tests.EndToEnd;

/// <summary>
/// <c>larder use</c> on private caches puts only read-only tokens into netrc, never silently replaces another token of
/// the same host, and <c>larder unuse</c> takes everything back.
/// </summary>
public sealed class UseTokenTests(LarderFixture fixture) : IClassFixture<LarderFixture>
{
    private const string Host = "127.0.0.1";

    [Fact]
    public async Task Use_of_a_private_cache_writes_a_new_read_only_token_for_it_not_the_admin_login()
    {
        var cache = await fixture.CreateCacheAsync("ro", isPublic: false);
        var nixConf = fixture.NewNixConf();
        var netrc = Path.Combine(Path.GetDirectoryName(nixConf)!, "netrc");

        var first = await fixture.RunAsync("use", cache, "--nix-conf", nixConf);
        var written = NetrcPassword(netrc);
        var second = await fixture.RunAsync("use", cache, "--nix-conf", nixConf);

        Assert.True(first.ExitCode == 0, first.Stderr);
        Assert.Contains("created read-only token", first.Stdout);
        Assert.NotEqual(fixture.Server.AdminToken, written);
        using var who = await WhoAmIAsync(written);
        var grants = who.RootElement.GetProperty("grants");
        Assert.Equal(1, grants.GetArrayLength());
        Assert.Equal(cache, grants[0].GetProperty("cache").GetString());
        Assert.Equal(["read"], grants[0].GetProperty("permissions").EnumerateArray().Select(p => p.GetString()!));
        Assert.True(second.ExitCode == 0, second.Stderr);
        Assert.Contains("nothing to change", second.Stdout);
        Assert.Equal(written, NetrcPassword(netrc));
    }

    [Fact]
    public async Task Use_refuses_to_replace_another_caches_token_for_the_same_host_without_force()
    {
        var first = await fixture.CreateCacheAsync("one", isPublic: false);
        var second = await fixture.CreateCacheAsync("two", isPublic: false);
        var nixConf = fixture.NewNixConf();
        var netrc = Path.Combine(Path.GetDirectoryName(nixConf)!, "netrc");
        (await fixture.RunAsync("use", first, "--nix-conf", nixConf)).EnsureSuccess();
        var firstToken = NetrcPassword(netrc);

        var refused = await fixture.RunAsync("use", second, "--nix-conf", nixConf);
        var tokenAfterRefusal = NetrcPassword(netrc);
        var forced = await fixture.RunAsync("use", second, "--nix-conf", nixConf, "--force");

        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains($"already has a different token for {Host}", refused.Stderr);
        Assert.Contains("one netrc password per host", refused.Stderr);
        Assert.Contains("--token-stdin", refused.Stderr);
        Assert.Equal(firstToken, tokenAfterRefusal);
        Assert.True(forced.ExitCode == 0, forced.Stderr);
        Assert.NotEqual(firstToken, NetrcPassword(netrc));
    }

    [Fact]
    public async Task One_given_token_that_reads_two_private_caches_serves_both_without_force()
    {
        var first = await fixture.CreateCacheAsync("both1", isPublic: false);
        var second = await fixture.CreateCacheAsync("both2", isPublic: false);
        var created = await fixture.RunAsync("token", "create", "-d", "nix", "-p", "read", "-c", first, "-c", second);
        created.EnsureSuccess();
        var shared = created.Stdout.Trim();
        var nixConf = fixture.NewNixConf();
        var netrc = Path.Combine(Path.GetDirectoryName(nixConf)!, "netrc");

        var one = await fixture.RunWithAsync(null, shared, "use", first, "--nix-conf", nixConf, "--token-stdin");
        var two = await fixture.RunWithAsync(null, shared, "use", second, "--nix-conf", nixConf, "--token-stdin");

        Assert.True(one.ExitCode == 0, one.Stderr);
        Assert.True(two.ExitCode == 0, two.Stderr);
        Assert.Equal(shared, NetrcPassword(netrc));
    }

    [Theory]
    [InlineData("read,write")]
    [InlineData("admin")]
    public async Task Use_refuses_to_write_a_token_that_can_do_more_than_read(string permissions)
    {
        var cache = await fixture.CreateCacheAsync("wr", isPublic: false);
        var created = await fixture.RunAsync("token", "create", "-d", "too strong", "-p", permissions, "-c", cache);
        created.EnsureSuccess();
        var nixConf = fixture.NewNixConf();

        var result = await fixture.RunWithAsync(null, created.Stdout.Trim(), "use", cache, "--nix-conf", nixConf, "--token-stdin");

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("refusing to write token 'too strong' into netrc", result.Stderr);
        Assert.False(File.Exists(Path.Combine(Path.GetDirectoryName(nixConf)!, "netrc")));
    }

    [Fact]
    public async Task Unuse_removes_the_substituter_the_key_and_the_netrc_entry_and_revokes_the_token_use_created()
    {
        var cache = await fixture.CreateCacheAsync("unuse", isPublic: false);
        var nixConf = fixture.NewNixConf("max-jobs = 2\n");
        var before = File.ReadAllText(nixConf);
        var netrc = Path.Combine(Path.GetDirectoryName(nixConf)!, "netrc");
        File.WriteAllText(netrc, "machine other.example login me password keep\n");
        (await fixture.RunAsync("use", cache, "--nix-conf", nixConf)).EnsureSuccess();
        var token = NetrcPassword(netrc);

        var result = await fixture.RunAsync("unuse", cache, "--nix-conf", nixConf);

        Assert.True(result.ExitCode == 0, result.Stderr);
        var after = File.ReadAllText(nixConf);
        Assert.DoesNotContain(cache, after);
        Assert.DoesNotContain("extra-trusted-public-keys", after);
        Assert.Equal(before + $"netrc-file = {netrc}\n", after);
        Assert.Equal("machine other.example login me password keep\n", File.ReadAllText(netrc));
        Assert.Contains("revoked it", result.Stdout);
        using var http = new HttpClient();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, (await http.GetAsync($"{fixture.Server.BaseUrl}/api/v1/whoami")).StatusCode);
    }

    [Fact]
    public async Task Unuse_keeps_the_netrc_entry_while_another_cache_of_the_host_uses_it()
    {
        var first = await fixture.CreateCacheAsync("keep1", isPublic: false);
        var second = await fixture.CreateCacheAsync("keep2", isPublic: false);
        var created = await fixture.RunAsync("token", "create", "-d", "nix", "-p", "read", "-c", first, "-c", second);
        created.EnsureSuccess();
        var nixConf = fixture.NewNixConf();
        var netrc = Path.Combine(Path.GetDirectoryName(nixConf)!, "netrc");
        (await fixture.RunWithAsync(null, created.Stdout, "use", first, "--nix-conf", nixConf, "--token-stdin")).EnsureSuccess();
        (await fixture.RunWithAsync(null, created.Stdout, "use", second, "--nix-conf", nixConf, "--token-stdin")).EnsureSuccess();

        var result = await fixture.RunAsync("unuse", first, "--nix-conf", nixConf);

        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Contains("kept the token", result.Stdout);
        Assert.Equal(created.Stdout.Trim(), NetrcPassword(netrc));
        Assert.Contains(second, File.ReadAllText(nixConf));
    }

    [Theory]
    [InlineData("trusted-users = alice", true)]
    [InlineData("trusted-users = alice\nextra-trusted-users = {user}", false)]
    [InlineData("trusted-users = *", false)]
    public async Task Use_warns_when_a_nix_daemon_ignores_the_users_nix_conf(string systemConf, bool warns)
    {
        var cache = await fixture.CreateCacheAsync("daemon");
        var systemDir = Path.Combine(fixture.Root, $"etc-nix-{Guid.NewGuid():N}");
        Directory.CreateDirectory(systemDir);
        File.WriteAllText(Path.Combine(systemDir, "nix.conf"), systemConf.Replace("{user}", Environment.UserName) + "\n");
        var environment = new Dictionary<string, string> { ["NIX_REMOTE"] = "daemon", ["NIX_CONF_DIR"] = systemDir };

        var result = await fixture.RunWithAsync(environment, null, "use", cache, "--nix-conf", fixture.NewNixConf());

        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Equal(warns, result.Stderr.Contains("not in trusted-users", StringComparison.Ordinal));
        if (warns)
        {
            Assert.Contains($"sudo larder use {cache} --system", result.Stderr);
        }
    }

    private static string NetrcPassword(string netrc)
    {
        var words = File.ReadAllText(netrc).Split((char[])[' ', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries);
        var machine = Array.IndexOf(words, Host);
        return words[Array.IndexOf(words, "password", machine) + 1];
    }

    private async Task<JsonDocument> WhoAmIAsync(string token)
    {
        using var http = new HttpClient();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var response = await http.GetAsync($"{fixture.Server.BaseUrl}/api/v1/whoami");
        response.EnsureSuccessStatusCode();
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync());
    }
}
