using System.Diagnostics;
using System.Text;
using Larder.Cli.Infrastructure;

namespace Larder.Cli.LocalStore;

/// <summary>Runs a Nix tool and captures its output; failures become <see cref="CliException"/> with Nix's message.</summary>
internal static class ProcessOutput
{
    /// <summary>Runs <paramref name="exe"/> and returns stdout; a non-zero exit throws with stderr's last lines.</summary>
    public static async Task<string> RunAsync(string exe, IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        var (exitCode, stdout, stderr) = await TryRunAsync(exe, args, cancellationToken).ConfigureAwait(false);
        if (exitCode != 0)
        {
            throw new CliException($"{exe} failed (exit code {exitCode}): {LastLines(stderr)}");
        }
        return stdout;
    }

    /// <summary>Runs <paramref name="exe"/>, returning its exit code, stdout and stderr.</summary>
    public static async Task<(int ExitCode, string Stdout, string Stderr)> TryRunAsync(
        string exe, IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        var startInfo = new ProcessStartInfo(exe)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var arg in args)
        {
            startInfo.ArgumentList.Add(arg);
        }
        Process process;
        try
        {
            process = Process.Start(startInfo) ?? throw new CliException($"could not start {exe}");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new CliException($"could not run {exe}: {e.Message}", "is Nix installed and on PATH?");
        }
        using (process)
        {
            process.StandardInput.Close();
            var stdoutTask = process.StandardOutput.ReadToEndAsync(cancellationToken);
            var stderrTask = process.StandardError.ReadToEndAsync(cancellationToken);
            try
            {
                await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw;
            }
            return (process.ExitCode, await stdoutTask.ConfigureAwait(false), await stderrTask.ConfigureAwait(false));
        }
    }

    private static string LastLines(string text)
    {
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return lines.Length == 0 ? "(no output)" : string.Join("; ", lines.TakeLast(3));
    }
}
