using Larder.Testing;

namespace Larder.Cli.Tests.Nar;

/// <summary>Runs the built <c>larder</c> (<see cref="LarderExecutable"/>) as a child process.</summary>
internal static class LarderNarCli
{
    public static Task<ProcessResult> RunAsync(params string[] args) => LarderExecutable.RunAsync(args);

    /// <summary>
    /// Runs <paramref name="script"/> with <c>sh</c>, where the shell function <c>larder</c> runs larder and <c>$1</c>…
    /// are <paramref name="args"/>: for binary stdin/stdout, which the process runner keeps as text.
    /// </summary>
    public static Task<ProcessResult> RunShellAsync(IReadOnlyDictionary<string, string>? environment, string script, params string[] args)
    {
        var function = $"larder() {{ {LarderExecutable.ShellCommand} \"$@\"; }}; ";
        return ProcessRunner.RunAsync("sh", ["-c", function + script, "sh", .. args],
            new ProcessOptions { Environment = environment, Timeout = TimeSpan.FromMinutes(2) });
    }
}
