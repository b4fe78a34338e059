using System.Net;
using System.Text.Json;
using Larder.Testing;

namespace Larder.Cli.Tests.EndToEnd;

/// <summary>Output for scripts, one clear error instead of many, and hints that point at the right fix.</summary>
public sealed class ScriptingAndHintsTests(LarderFixture fixture) : IClassFixture<LarderFixture>
{
    private static string Salt() => Guid.NewGuid().ToString("N");

    [Fact]
    public async Task Path_info_json_has_typed_fields()
    {
        var cache = await fixture.CreateCacheAsync("pijson");
        var output = await fixture.Nix.BuildChainAsync(2, Salt());
        (await fixture.RunAsync("push", cache, output)).EnsureSuccess();

        var result = await fixture.RunAsync("path-info", cache, output, "--json");

        Assert.True(result.ExitCode == 0, result.Stderr);
        using var json = JsonDocument.Parse(result.Stdout);
        var root = json.RootElement;
        Assert.Equal(output, root.GetProperty("storePath").GetString());
        Assert.Equal(JsonValueKind.Number, root.GetProperty("narSize").ValueKind);
        Assert.True(root.GetProperty("narSize").GetInt64() > 0);
        var references = root.GetProperty("references");
        Assert.Equal(JsonValueKind.Array, references.ValueKind);
        Assert.NotEmpty(references.EnumerateArray());
        Assert.All(references.EnumerateArray(), r => Assert.StartsWith("/nix/store/", r.GetString()));
        Assert.StartsWith("sha256:", root.GetProperty("narHash").GetString());
        Assert.Equal(JsonValueKind.Array, root.GetProperty("signatures").ValueKind);
    }

    [Fact]
    public async Task Push_json_gives_elapsed_seconds_and_plain_output_says_one_path()
    {
        var cache = await fixture.CreateCacheAsync("pjson");
        var first = await fixture.Nix.BuildChainAsync(1, Salt());
        var second = await fixture.Nix.BuildChainAsync(1, Salt());

        var json = await fixture.RunAsync("push", cache, first, "--json");
        var plain = await fixture.RunAsync("push", cache, second, "--no-closure");

        Assert.True(json.ExitCode == 0, json.Stderr);
        using var document = JsonDocument.Parse(json.Stdout);
        Assert.Equal(JsonValueKind.Number, document.RootElement.GetProperty("elapsedSeconds").ValueKind);
        Assert.False(document.RootElement.TryGetProperty("elapsed", out _));
        Assert.True(plain.ExitCode == 0, plain.Stderr);
        Assert.Contains("pushing 1 path (", plain.Stderr);
        Assert.Contains("pushed 1 path (", plain.Stdout);
    }

    [Fact]
    public async Task A_token_without_write_gets_one_error_before_any_upload()
    {
        var cache = await fixture.CreateCacheAsync("nowrite");
        var output = await fixture.Nix.BuildChainAsync(4, Salt());
        var created = await fixture.RunAsync("token", "create", "-d", "reader", "-c", cache, "-p", "read");
        created.EnsureSuccess();

        var result = await fixture.RunWithAsync(new Dictionary<string, string> { ["LARDER_TOKEN"] = created.Stdout.Trim() }, null, "push", cache, output);

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains($"the token lacks write permission on cache '{cache}'", result.Stderr);
        Assert.DoesNotContain("failed /nix/store", result.Stderr);
        Assert.Single(result.Stderr.Split('\n'), l => l.StartsWith("error:", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_anonymous_push_is_told_how_to_log_in_with_a_name()
    {
        var cache = await fixture.CreateCacheAsync("anon");
        var output = await fixture.Nix.BuildChainAsync(1, Salt());

        var result = await fixture.RunWithAsync(new Dictionary<string, string> { ["LARDER_SERVER"] = fixture.Server.BaseUrl }, null, "push", cache, output);

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("pushing needs a token with write permission", result.Stderr);
        Assert.Contains($"larder login NAME {fixture.Server.BaseUrl} TOKEN", result.Stderr);
    }

    [Fact]
    public async Task Cache_events_lists_the_push_log()
    {
        var cache = await fixture.CreateCacheAsync("events");
        var output = await fixture.Nix.BuildChainAsync(2, Salt());
        (await fixture.RunAsync("push", cache, output)).EnsureSuccess();

        var json = await fixture.RunAsync("cache", "events", cache, "--limit", "1", "--json");
        var plain = await fixture.RunAsync("cache", "events", cache);

        Assert.True(json.ExitCode == 0, json.Stderr);
        using var document = JsonDocument.Parse(json.Stdout);
        Assert.Equal(1, document.RootElement.GetArrayLength());
        Assert.Equal(output, document.RootElement[0].GetProperty("storePath").GetString());
        Assert.True(plain.ExitCode == 0, plain.Stderr);
        Assert.True(plain.Stdout.Split('\n').Count(l => l.Contains(" push ", StringComparison.Ordinal)) >= 2, plain.Stdout);
        Assert.Contains(output, plain.Stdout);
    }

    [Fact]
    public async Task Login_with_a_cache_url_names_the_server_url()
    {
        var cache = await fixture.CreateCacheAsync("login");

        var result = await fixture.RunAsync("login", "x", $"{fixture.Server.BaseUrl}/{cache}", fixture.Server.AdminToken);

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains($"is a cache URL; the server URL is {fixture.Server.BaseUrl}/", result.Stderr);
    }

    [Fact]
    public async Task Login_to_a_web_server_that_is_not_larder_says_so_without_dumping_its_page()
    {
        var port = FreePort.Next();
        using var listener = new HttpListener();
        listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        listener.Start();
        var serving = Task.Run(async () =>
        {
            while (listener.IsListening)
            {
                var context = await listener.GetContextAsync();
                context.Response.StatusCode = 404;
                context.Response.ContentType = "text/html";
                await context.Response.OutputStream.WriteAsync("<html><body><h1>Not Found</h1></body></html>"u8.ToArray());
                context.Response.Close();
            }
        });

        var result = await fixture.RunAsync("login", "x", $"http://127.0.0.1:{port}", "larder_x");
        listener.Stop();

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains($"not a Larder server at http://127.0.0.1:{port}/", result.Stderr);
        Assert.DoesNotContain("<html>", result.Stderr);
    }

    [Fact]
    public async Task Watch_exec_runs_the_command_when_the_cache_is_down_and_keeps_its_exit_code()
    {
        var environment = new Dictionary<string, string> { ["LARDER_SERVER"] = $"http://127.0.0.1:{FreePort.Next()}" };

        var result = await fixture.RunWithAsync(environment, null, "watch-exec", "c", "--", "/bin/sh", "-c", "echo the build ran; exit 3");

        Assert.Equal(3, result.ExitCode);
        Assert.Contains("the build ran", result.Stdout);
        Assert.Contains("running the command anyway", result.Stderr);
    }

    [Fact]
    public async Task Watch_exec_pushes_paths_while_the_command_is_still_running()
    {
        var cache = await fixture.CreateCacheAsync("early");
        var fib = Path.Combine(fixture.Nix.Root, "fib.nix");
        var larder = LarderExecutable.ShellCommand;
        // The command builds a path, then waits (up to 60 s) until the cache has it: only an early push lets it finish.
        var script = $"""
            out=$(nix-build {fib} --arg n 1 --argstr salt {Salt()} --no-out-link) || exit 9
            for i in $(seq 120); do
              {larder} path-info {cache} "$out" >/dev/null 2>&1 && echo seen-while-running && exit 0
              sleep 0.5
            done
            exit 8
            """;

        var result = await fixture.RunAsync("watch-exec", cache, "--", "/bin/sh", "-c", script);

        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Contains("seen-while-running", result.Stdout);
    }

    [Theory]
    [InlineData("serve", "[<--Larder:Key=value>...]", "additional arguments")]
    [InlineData("login", "larder_…", "lt_…")]
    public async Task Help_text_shows_real_syntax_and_token_shapes(string command, string shown, string notShown)
    {
        var result = await fixture.RunAsync(command, "--help");

        Assert.Contains(shown, result.Stdout);
        Assert.DoesNotContain(notShown, result.Stdout);
    }
}
