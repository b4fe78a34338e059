using Xunit.Abstractions;

namespace Larder.Server.Tests.Reliability;

/// <summary>
/// The figures of a reliability run: written to the test output and, when <c>LARDER_RELIABILITY_REPORT</c> names a file,
/// appended to it (<c>bench/reliability/run.sh</c> prints that file).
/// </summary>
internal sealed class ReliabilityReport(ITestOutputHelper output)
{
    private static readonly Lock FileLock = new();

    public void Line(string text)
    {
        output.WriteLine(text);
        if (Environment.GetEnvironmentVariable("LARDER_RELIABILITY_REPORT") is { Length: > 0 } path)
        {
            lock (FileLock)
            {
                File.AppendAllText(path, text + "\n");
            }
        }
    }

    /// <summary>The load averages (1, 5, 15 minutes) and core count, to judge timings on a shared machine.</summary>
    public static string LoadAverage() =>
        $"load average {string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3))} on {Environment.ProcessorCount} cores";
}
