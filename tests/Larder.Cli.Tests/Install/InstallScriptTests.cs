using Larder.Testing;

namespace Larder.Cli.Tests.Install;

/// <summary><c>eng/install.sh PREFIX</c> installs a <c>larder</c> that runs from any directory.</summary>
public sealed class InstallScriptTests
{
    [Fact]
    public async Task Install_script_puts_a_working_larder_launcher_in_prefix_bin()
    {
        using var prefix = new TempDirectory("larder-install");
        var script = Path.Combine(RepositoryRoot(), "eng", "install.sh");

        var install = await ProcessRunner.RunAsync(script, [prefix.Path], new ProcessOptions { Timeout = TimeSpan.FromMinutes(10) });
        var launcher = Path.Combine(prefix.Path, "bin", "larder");
        var file = Path.Combine(prefix.Path, "hello.txt");
        File.WriteAllText(file, "hello\n");
        var hash = await ProcessRunner.RunAsync(launcher, ["nar", "hash", file], new ProcessOptions { WorkingDirectory = "/" });

        Assert.True(install.ExitCode == 0, install.Stdout + install.Stderr);
        Assert.True(File.Exists(Path.Combine(prefix.Path, "lib", "larder", "larder.dll")));
        Assert.True(hash.ExitCode == 0, hash.Stderr);
        Assert.StartsWith("sha256:", hash.Stdout);
    }

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
