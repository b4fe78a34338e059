using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Larder.Bench.Chunking;

/// <summary>
/// Wall time and the CPU time of the calling thread (CLOCK_THREAD_CPUTIME_ID): on a machine shared with other work,
/// CPU time says what one core does, wall time does not. Every measured loop here runs on one thread.
/// </summary>
internal readonly struct CpuClock
{
    private const int ClockThreadCpuTimeId = 3;

    private readonly long _wallStart;
    private readonly double _cpuStart;

    private CpuClock(long wallStart, double cpuStart)
    {
        _wallStart = wallStart;
        _cpuStart = cpuStart;
    }

    public static CpuClock Start() => new(Stopwatch.GetTimestamp(), ThreadCpuSeconds());

    public (double Wall, double Cpu) Elapsed() =>
        (Stopwatch.GetElapsedTime(_wallStart).TotalSeconds, ThreadCpuSeconds() - _cpuStart);

    private static double ThreadCpuSeconds()
    {
        if (clock_gettime(ClockThreadCpuTimeId, out var time) != 0)
        {
            throw new InvalidOperationException($"clock_gettime failed: errno {Marshal.GetLastPInvokeError()}");
        }
        return time.Seconds + time.Nanoseconds / 1e9;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int clock_gettime(int clockId, out TimeSpec time);
}
