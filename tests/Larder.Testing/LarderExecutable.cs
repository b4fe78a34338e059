namespace Larder.Testing;

/// <summary>
/// The <c>larder</c> under test: larder.dll next to the test assembly, or <c>LARDER_EXE</c> (a larder.dll, or a native
/// <c>larder</c> such as the Native AOT build of eng/install.sh, so that the suites can run against it).
/// </summary>
public static class LarderExecutable
{
    /// <summary>The file to start and the arguments that go before larder's own.</summary>
    public static (string FileName, string[] Prefix) Locate()
    {
        var configured = Environment.GetEnvironmentVariable("LARDER_EXE");
        var candidate = configured is { Length: > 0 } ? configured : Path.Combine(AppContext.BaseDirectory, "larder.dll");
        if (!File.Exists(candidate))
        {
            throw new FileNotFoundException(
                "cannot find the larder build: reference src/Larder.Cli from the test project or set LARDER_EXE", candidate);
        }
        return For(candidate);
    }

    /// <summary>How to start the larder at <paramref name="path"/> (a larder.dll or a native executable).</summary>
    public static (string FileName, string[] Prefix) For(string path) =>
        path.EndsWith(".dll", StringComparison.Ordinal) ? ("dotnet", [path]) : (path, []);

    /// <summary>Runs larder with <paramref name="args"/> to completion.</summary>
    public static Task<ProcessResult> RunAsync(IEnumerable<string> args, ProcessOptions? options = null)
    {
        var (fileName, prefix) = Locate();
        return ProcessRunner.RunAsync(fileName, [.. prefix, .. args], options);
    }

    /// <summary>The command line that runs larder from a shell (quoted).</summary>
    public static string ShellCommand
    {
        get
        {
            var (fileName, prefix) = Locate();
            return string.Join(' ', new[] { fileName }.Concat(prefix).Select(a => $"'{a}'"));
        }
    }
}
