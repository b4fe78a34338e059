using Larder.Testing;

namespace Larder.Cli.Tests.Key;

/// <summary>Runs the built <c>larder</c> (larder.dll next to the tests, or LARDER_EXE) as a child process.</summary>
internal static class LarderKeyCli
{
    public static Task<ProcessResult> RunAsync(params string[] args)
    {
        var configured = Environment.GetEnvironmentVariable("LARDER_EXE");
        var exe = configured is { Length: > 0 } ? configured : Path.Combine(AppContext.BaseDirectory, "larder.dll");
        return exe.EndsWith(".dll", StringComparison.Ordinal)
            ? ProcessRunner.RunAsync("dotnet", [exe, .. args])
            : ProcessRunner.RunAsync(exe, args);
    }
}
