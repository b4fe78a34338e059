using System.Diagnostics;
using System.Text;

namespace Larder.Testing;

/// <summary>How to run a child process.</summary>
public sealed record ProcessOptions
{
    public IReadOnlyDictionary<string, string>? Environment { get; init; }
    public string? WorkingDirectory { get; init; }
    /// <summary>Text written to standard input, which is then closed (stdin is always closed, never inherited).</summary>
    public string? Stdin { get; init; }
    /// <summary>The process (and its children) is killed after this; the result then has <see cref="ProcessResult.TimedOut"/>.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(2);
}

/// <summary>What a finished child process did.</summary>
public sealed record ProcessResult(string Command, int ExitCode, string Stdout, string Stderr, bool TimedOut)
{
    /// <summary>Throws with the command, exit code and stderr unless the process exited 0.</summary>
    public ProcessResult EnsureSuccess()
    {
        if (ExitCode != 0 || TimedOut)
        {
            throw new InvalidOperationException(
                $"`{Command}` {(TimedOut ? "timed out" : $"exited {ExitCode}")}\nstdout:\n{Stdout}\nstderr:\n{Stderr}");
        }
        return this;
    }
}

/// <summary>Runs a process to completion, capturing its output, always under a timeout.</summary>
public static class ProcessRunner
{
    public static async Task<ProcessResult> RunAsync(string exe, IEnumerable<string> args, ProcessOptions? options = null)
    {
        options ??= new ProcessOptions();
        var start = new ProcessStartInfo(exe)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = options.WorkingDirectory ?? "",
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        if (options.Environment is not null)
        {
            foreach (var (key, value) in options.Environment)
            {
                start.Environment[key] = value;
            }
        }
        var command = string.Join(' ', new[] { exe }.Concat(start.ArgumentList));
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {exe}");
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        var stdoutTask = PumpAsync(process.StandardOutput, stdout);
        var stderrTask = PumpAsync(process.StandardError, stderr);
        if (options.Stdin is not null)
        {
            await process.StandardInput.WriteAsync(options.Stdin);
        }
        process.StandardInput.Close();

        using var timeout = new CancellationTokenSource(options.Timeout);
        var timedOut = false;
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            timedOut = true;
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
        await Task.WhenAll(stdoutTask, stderrTask);
        return new ProcessResult(command, process.ExitCode, stdout.ToString(), stderr.ToString(), timedOut);
    }

    private static async Task PumpAsync(StreamReader reader, StringBuilder into)
    {
        var buffer = new char[8192];
        int read;
        while ((read = await reader.ReadAsync(buffer)) > 0)
        {
            lock (into)
            {
                into.Append(buffer, 0, read);
            }
        }
    }
}
