using System.Globalization;
using System.Security.Cryptography;
using Larder.Nix.Chunking;

namespace Larder.Bench.Chunking;

/// <summary>
/// GB/s of cut-point finding and of chunking with SHA-256 on pseudo-random bytes in memory, against two baselines on
/// the same bytes in the same run: a vectorized memory scan (counting zero bytes) and plain SHA-256.
/// </summary>
internal static class Throughput
{
    public static void Run(int sizeMiB, int runs)
    {
        var data = new byte[sizeMiB * 1024L * 1024L];
        new Random(42).NextBytes(data);
        var chunker = new FastCdcChunker();

        var rows = new List<(string Name, double Cpu, double Wall, string Note)>();
        void Measure(string name, Func<string> action)
        {
            action(); // warm-up (JIT, page faults)
            (double Wall, double Cpu) best = (double.MaxValue, double.MaxValue);
            string note = "";
            for (int i = 0; i < runs; i++)
            {
                var clock = CpuClock.Start();
                note = action();
                var elapsed = clock.Elapsed();
                if (elapsed.Cpu < best.Cpu)
                {
                    best = elapsed;
                }
            }
            rows.Add((name, best.Cpu, best.Wall, note));
        }

        Measure("memory scan (count 0 bytes)", () => $"{data.AsSpan().Count((byte)0)} zeros");
        Measure("SHA-256", () => Convert.ToHexStringLower(SHA256.HashData(data))[..8]);
        Measure($"FastCDC cut points {chunker.Options}", () => $"{CountCutPoints(chunker, data)} chunks");
        Measure("chunks + SHA-256 (ReadChunksAsync)", () => $"{ReadChunks(chunker, data)} chunks");

        double sha = rows[1].Cpu;
        Console.WriteLine($"input: {sizeMiB} MiB of pseudo-random bytes in memory; best of {runs} by CPU time of the thread;");
        Console.WriteLine("GB/s = 10^9 bytes per CPU second (one core); vs_sha = SHA-256 CPU time / this CPU time");
        Console.WriteLine($"{"operation",-42} {"GB/s_cpu",9} {"GB/s_wall",9} {"vs_sha",7}  note");
        foreach (var (name, cpu, wall, note) in rows)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{name,-42} {data.Length / cpu / 1e9,9:F2} {data.Length / wall / 1e9,9:F2} {sha / cpu,7:F2}  {note}"));
        }
    }

    private static int CountCutPoints(FastCdcChunker chunker, ReadOnlySpan<byte> data)
    {
        int count = 0;
        while (chunker.TryFindCutPoint(data, isFinalBlock: true, out int length))
        {
            data = data[length..];
            count++;
        }
        return count;
    }

    // The stream reader completes synchronously on a MemoryStream, so this stays on the measuring thread.
    private static int ReadChunks(FastCdcChunker chunker, byte[] data)
    {
        var enumerator = chunker.ReadChunksAsync(new MemoryStream(data, writable: false)).GetAsyncEnumerator();
        int count = 0;
        while (enumerator.MoveNextAsync().AsTask().GetAwaiter().GetResult())
        {
            enumerator.Current.Dispose();
            count++;
        }
        enumerator.DisposeAsync().AsTask().GetAwaiter().GetResult();
        return count;
    }
}
