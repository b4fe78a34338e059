using Larder.Fuzz;
using SharpFuzz;

// Larder.Fuzz TARGET: runs one fuzz target on the input on stdin. Under afl-fuzz, SharpFuzz's fork server runs every
// input afl-fuzz sends in one child process, which it restarts when a hang (killed by afl-fuzz) or an uncatchable
// crash ends it: an in-process fork server would die with it and stop the campaign. Run outside afl-fuzz with a saved
// input to reproduce a finding: the exception and its stack trace are printed. Larder.Fuzz --list: the targets.
if (args is ["--list"])
{
    foreach (var each in FuzzTargets.All)
    {
        Console.WriteLine($"{each.Name}\t{each.Covers}");
    }
    return 0;
}
if (args.Length != 1 || FuzzTargets.Find(args[0]) is not { } target)
{
    Console.Error.WriteLine($"usage: Larder.Fuzz TARGET < INPUT   (TARGET: {string.Join(", ", FuzzTargets.All.Select(t => t.Name))})");
    return 2;
}
Fuzzer.OutOfProcess.Run(input =>
{
    using var bytes = new MemoryStream();
    input.CopyTo(bytes);
    target.Run(bytes.ToArray());
});
return 0;
