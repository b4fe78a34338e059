// Chunking benchmarks, run by bench/chunking/run.sh:
//   throughput <size-MiB> <runs>
//   versions <size-MiB> <versions> <changed-percent> <change-places> <inserted-bytes> <binary|text> <min/avg/max KiB>...
using System.Globalization;
using Larder.Bench.Chunking;

static int Int(string text) => int.Parse(text, CultureInfo.InvariantCulture);

switch (args)
{
    case ["throughput", var size, var runs]:
        Throughput.Run(Int(size), Int(runs));
        return 0;
    case ["versions", var size, var versions, var percent, var places, var inserted, var content, .. var settings]
        when content is "binary" or "text" && settings.Length > 0:
        await Versions.RunAsync(Int(size), Int(versions), double.Parse(percent, CultureInfo.InvariantCulture),
            Int(places), Int(inserted), content == "text", settings.Select(Versions.ParseSettings).ToArray());
        return 0;
    default:
        Console.Error.WriteLine("usage: throughput <size-MiB> <runs> | versions <size-MiB> <versions> <changed-percent> <places> <inserted-bytes> <binary|text> <min/avg/max KiB>...");
        return 2;
}
