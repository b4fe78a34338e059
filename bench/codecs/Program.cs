// Times one codec operation on a file and prints "wall_seconds cpu_seconds bytes_in bytes_out" on stdout
// (CPU = user + system time of this process during the operation: robust on a busy machine, where wall time is not).
//   compress   <codec> <level|default> <input> <output>
//   decompress <codec> <input> <output|->        ("-": discard the output)
// A short warm-up on the first MiB runs first, so JIT time is not measured.
using System.Diagnostics;
using Larder.Nix.Compression;
using Larder.Testing.Compression;

const int BufferSize = 1024 * 1024;

if (args.Length < 4 || (args[0] == "compress" && args.Length != 5) || (args[0] == "decompress" && args.Length != 4))
{
    Console.Error.WriteLine("usage: compress <codec> <level|default> <input> <output> | decompress <codec> <input> <output|->");
    return 2;
}

var kind = CompressionNames.Parse(args[1]);
if (args[0] == "compress")
{
    int? level = args[2] == "default" ? null : int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture);
    Compress(kind, level, args[3], Stream.Null, warmUp: true);
    var (watch, cpu) = StartClocks();
    long written;
    using (var output = File.Create(args[4], BufferSize))
    {
        Compress(kind, level, args[3], output, warmUp: false);
        written = output.Length;
    }

    Report(watch, cpu, new FileInfo(args[3]).Length, written);
}
else if (args[0] == "decompress")
{
    Decompress(kind, args[2], Stream.Null, warmUp: true);
    var (watch, cpu) = StartClocks();
    long produced;
    using (var output = args[3] == "-" ? Stream.Null : File.Create(args[3], BufferSize))
    {
        produced = Decompress(kind, args[2], output, warmUp: false);
    }

    Report(watch, cpu, new FileInfo(args[2]).Length, produced);
}
else
{
    Console.Error.WriteLine($"unknown operation '{args[0]}'");
    return 2;
}

return 0;

static void Compress(CompressionKind kind, int? level, string inputPath, Stream output, bool warmUp)
{
    using var input = File.OpenRead(inputPath);
    using var compressor = TestCodecs.Compress(output, kind, level, leaveOpen: true);
    Copy(input, compressor, warmUp ? BufferSize : long.MaxValue);
}

static long Decompress(CompressionKind kind, string inputPath, Stream output, bool warmUp)
{
    using var input = File.OpenRead(inputPath);
    using var decompressor = Codecs.Decompress(input, kind, leaveOpen: false);
    return Copy(decompressor, output, warmUp ? BufferSize : long.MaxValue);
}

static long Copy(Stream from, Stream to, long limit)
{
    var buffer = new byte[BufferSize];
    long total = 0;
    int read;
    while (total < limit && (read = from.Read(buffer, 0, (int)Math.Min(buffer.Length, limit - total))) > 0)
    {
        to.Write(buffer, 0, read);
        total += read;
    }

    return total;
}

static (Stopwatch Watch, TimeSpan Cpu) StartClocks() => (Stopwatch.StartNew(), Process.GetCurrentProcess().TotalProcessorTime);

static void Report(Stopwatch watch, TimeSpan cpuAtStart, long bytesIn, long bytesOut)
{
    var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuAtStart;
    Console.WriteLine(FormattableString.Invariant($"{watch.Elapsed.TotalSeconds:F3} {cpu.TotalSeconds:F3} {bytesIn} {bytesOut}"));
}
