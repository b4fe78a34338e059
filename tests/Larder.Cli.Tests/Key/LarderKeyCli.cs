using Larder.Testing;

namespace Larder.Cli.Tests.Key;

/// <summary>Runs the built <c>larder</c> (<see cref="LarderExecutable"/>) as a child process.</summary>
internal static class LarderKeyCli
{
    public static Task<ProcessResult> RunAsync(params string[] args) => LarderExecutable.RunAsync(args);
}
