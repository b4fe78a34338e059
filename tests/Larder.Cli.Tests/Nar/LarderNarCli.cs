using Larder.Testing;

namespace Larder.Cli.Tests.Nar;

/// <summary>Runs the built <c>larder</c> (larder.dll next to the tests, or LARDER_EXE) as a child process.</summary>
internal static class LarderNarCli
{
    private static string Exe
    {
        get
        {
            var configured = Environment.GetEnvironmentVariable("LARDER_EXE");
            return configured is { Length: > 0 } ? configured : Path.Combine(AppContext.BaseDirectory, "larder.dll");
        }
    }

    public static Task<ProcessResult> RunAsync(params string[] args) =>
        Exe.EndsWith(".dll", StringComparison.Ordinal)
            ? ProcessRunner.RunAsync("dotnet", [Exe, .. args])
            : ProcessRunner.RunAsync(Exe, args);

    /// <summary>
    /// Runs <paramref name="script"/> with <c>sh</c>, where the shell function <c>larder</c> runs larder and <c>$1</c>…
    /// are <paramref name="args"/>: for binary stdin/stdout, which the process runner keeps as text.
    /// </summary>
    public static Task<ProcessResult> RunShellAsync(IReadOnlyDictionary<string, string>? environment, string script, params string[] args)
    {
        var env = new Dictionary<string, string>(environment ?? new Dictionary<string, string>()) { ["LARDER_UNDER_TEST"] = Exe };
        var function = Exe.EndsWith(".dll", StringComparison.Ordinal)
            ? "larder() { dotnet \"$LARDER_UNDER_TEST\" \"$@\"; }; "
            : "larder() { \"$LARDER_UNDER_TEST\" \"$@\"; }; ";
        return ProcessRunner.RunAsync("sh", ["-c", function + script, "sh", .. args],
            new ProcessOptions { Environment = env, Timeout = TimeSpan.FromMinutes(2) });
    }
}
