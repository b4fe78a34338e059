using System.Globalization;

namespace Larder.Server.Tests.Reliability;

/// <summary>
/// Sizes of the reliability runs: short by default (they run in the test suite), long when <c>bench/reliability/run.sh</c>
/// sets the <c>LARDER_RELIABILITY_*</c> variables.
/// </summary>
internal static class ReliabilitySettings
{
    /// <summary>Crash rounds per backend pair.</summary>
    public static int Rounds => Read("LARDER_RELIABILITY_ROUNDS", 1);

    /// <summary>Concurrent pushes per crash round.</summary>
    public static int Pushes => Read("LARDER_RELIABILITY_PUSHES", 6);

    /// <summary>Length of each round's chain of derivations (its top member's closure has this many paths plus one).</summary>
    public static int ChainLength => Read("LARDER_RELIABILITY_CHAIN", 6);

    /// <summary>Seconds of sustained load.</summary>
    public static int LoadSeconds => Read("LARDER_RELIABILITY_SECONDS", 8);

    /// <summary>Size of the large NAR pushed while the server's memory is sampled, in MiB.</summary>
    public static int LargeNarMiB => Read("LARDER_RELIABILITY_LARGE_NAR_MIB", 48);

    private static int Read(string variable, int shortDefault) =>
        Environment.GetEnvironmentVariable(variable) is { Length: > 0 } text
            ? int.Parse(text, NumberStyles.None, CultureInfo.InvariantCulture)
            : shortDefault;
}
