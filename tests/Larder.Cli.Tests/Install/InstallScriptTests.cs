using System.Net;
using Larder.Testing;

namespace Larder.Cli.Tests.Install;

/// <summary>
/// <c>eng/install.sh PREFIX</c> installs a <c>larder</c> that runs from any directory: with a C compiler (as
/// eng/install-deps.sh installs) the Native AOT build, which must serve and talk to a server like the JIT build does.
/// </summary>
public sealed class InstallScriptTests
{
    [Fact]
    public async Task Install_script_puts_a_working_larder_in_prefix_bin_that_serves_and_manages_caches()
    {
        using var prefix = new TempDirectory("larder-install");
        var script = Path.Combine(RepositoryRoot(), "eng", "install.sh");

        var install = await ProcessRunner.RunAsync(script, [prefix.Path], new ProcessOptions { Timeout = TimeSpan.FromMinutes(10) });
        Assert.True(install.ExitCode == 0, install.Stdout + install.Stderr);
        var launcher = Path.Combine(prefix.Path, "bin", "larder");
        var native = HasCCompiler();
        Assert.Contains(native ? "built larder (Release, Native AOT" : "built larder (Release, ReadyToRun)", install.Stdout, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(prefix.Path, "lib", "larder", native ? "larder" : "larder.dll")));

        var file = Path.Combine(prefix.Path, "hello.txt");
        File.WriteAllText(file, "hello\n");
        var hash = await ProcessRunner.RunAsync(launcher, ["nar", "hash", file], new ProcessOptions { WorkingDirectory = "/" });
        Assert.True(hash.ExitCode == 0, hash.Stderr);
        Assert.StartsWith("sha256:", hash.Stdout);

        // The server: options bound, an unknown key named with the closest known one (found by reflection over the
        // options types), the OpenAPI document, JSON both ways through the CLI.
        await using var server = await LarderServerProcess.StartAsync(
            Path.Combine(prefix.Path, "data"), ["--Larder:Storage:Foldr:Path=/nowhere"], executable: launcher);
        using var http = new HttpClient();
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync($"{server.BaseUrl}/health/ready")).StatusCode);
        Assert.True(await server.WaitForOutputAsync("did you mean 'Larder:Storage:Folder:Path'", TimeSpan.FromSeconds(10)), server.Output);
        // The OpenAPI document describes every endpoint's bodies: the JSON metadata of every contract must be there.
        var openApi = await http.GetAsync($"{server.BaseUrl}/api/v1/openapi.json");
        Assert.True(openApi.StatusCode == HttpStatusCode.OK, server.Output);
        var environment = new Dictionary<string, string> { ["LARDER_CONFIG"] = Path.Combine(prefix.Path, "cli.json") };
        var options = new ProcessOptions { Environment = environment };
        (await ProcessRunner.RunAsync(launcher, ["login", "local", server.BaseUrl, server.AdminToken], options)).EnsureSuccess();
        (await ProcessRunner.RunAsync(launcher, ["cache", "create", "installed", "--public"], options)).EnsureSuccess();
        var list = await ProcessRunner.RunAsync(launcher, ["cache", "list", "--json"], options);
        Assert.True(list.ExitCode == 0, list.Stderr);
        Assert.Contains("\"name\":\"installed\"", list.Stdout.Replace(" ", "", StringComparison.Ordinal), StringComparison.Ordinal);
        var refused = await ProcessRunner.RunAsync(launcher, ["cache", "create", "installed"], options);
        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains("installed", refused.Stderr, StringComparison.Ordinal);
    }

    private static bool HasCCompiler() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':')
            .Any(dir => File.Exists(Path.Combine(dir, "gcc")) || File.Exists(Path.Combine(dir, "clang")));

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Larder.sln")))
            {
                return directory.FullName;
            }
        }
        throw new InvalidOperationException($"no Larder.sln above {AppContext.BaseDirectory}");
    }
}
