namespace Larder.Fuzz.Targets;

/// <summary>
/// A planted bug for <c>eng/fuzz.sh</c>'s self-check: the input <c>CRASH</c> throws. Seeded with <c>CRASx</c>,
/// afl-fuzz must find it, which proves that the instrumentation, SharpFuzz's fork server and the crash report work
/// together, so that "0 crashes" from the real targets means something.
/// </summary>
internal sealed class PlantedCrashTarget : IFuzzTarget
{
    public string Name => "planted-crash";

    public string Covers => "self-check: a planted bug afl-fuzz must find";

    public void Run(byte[] input) => Bug.Check(input);

    /// <summary>
    /// The only instrumented code of this assembly (<c>eng/fuzz.sh</c> names it): nested, so that constructing the
    /// target outside afl-fuzz (<c>--list</c>) runs no instrumented code, which needs afl-fuzz's shared memory.
    /// </summary>
    private static class Bug
    {
        public static void Check(byte[] input)
        {
            // One branch per byte: each byte found is new coverage, which keeps afl-fuzz working on this input.
            if (input.Length >= 5 && input[0] == 'C')
            {
                if (input[1] == 'R')
                {
                    if (input[2] == 'A')
                    {
                        if (input[3] == 'S')
                        {
                            if (input[4] == 'H')
                            {
                                throw new InvalidOperationException("the planted crash was found");
                            }
                        }
                    }
                }
            }
        }
    }
}
