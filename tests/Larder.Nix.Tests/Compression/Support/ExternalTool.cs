using System.Diagnostics;

namespace Larder.Nix.Tests.Compression.Support;

/// <summary>
/// Runs a command-line tool with binary stdin/stdout (the shared ProcessRunner deals in text).
/// A missing tool fails the test with the Debian package to install.
/// </summary>
internal static class ExternalTool
{
    private static readonly Dictionary<string, string> Packages = new()
    {
        ["zstd"] = "zstd",
        ["xz"] = "xz-utils",
        ["bzip2"] = "bzip2",
        ["gzip"] = "gzip",
        ["brotli"] = "brotli",
        ["nix"] = "nix-bin",
        ["nix-store"] = "nix-bin",
    };

    /// <summary>Feeds <paramref name="input"/> to the tool and returns its stdout; fails the test on a non-zero exit.</summary>
    public static async Task<byte[]> FilterAsync(string tool, byte[] input, params string[] args)
    {
        var path = Locate(tool);
        var start = new ProcessStartInfo(path)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {path}");
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var stdout = new MemoryStream();
        var reading = process.StandardOutput.BaseStream.CopyToAsync(stdout, timeout.Token);
        var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
        try
        {
            await process.StandardInput.BaseStream.WriteAsync(input, timeout.Token);
            process.StandardInput.Close();
            await reading;
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{tool} {string.Join(' ', args)} did not finish within 2 minutes");
        }

        Assert.True(process.ExitCode == 0, $"{tool} {string.Join(' ', args)} exited with {process.ExitCode}: {await stderr}");
        return stdout.ToArray();
    }

    /// <summary>The tool's full path; fails the test with an install hint when it is not on PATH.</summary>
    public static string Locate(string tool)
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(dir, tool);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        var package = Packages.GetValueOrDefault(tool, tool);
        Assert.Fail($"the '{tool}' command is not on PATH: install the Debian package '{package}' (eng/install-deps.sh does)");
        return tool;
    }
}
