namespace Larder.Nix.Chunking;

/// <summary>
/// The 256 random 64-bit values of the gear hash (<c>hash = (hash &lt;&lt; 1) + Gear[byte]</c>). They are the first
/// 256 outputs of SplitMix64 (Steele, Lea and Flood 2014; the generator Java's <c>SplittableRandom</c> uses) seeded with
/// <see cref="Seed"/>. Every stored chunk boundary depends on them: a test pins the table, and it must never change.
/// </summary>
public static class GearTable
{
    /// <summary>"LarderCD" in ASCII, big-endian.</summary>
    public const ulong Seed = 0x4C61726465724344;

    /// <summary>The table, indexed by byte value.</summary>
    public static ReadOnlySpan<ulong> Values => Table;

    internal static readonly ulong[] Table = Generate();

    private static ulong[] Generate()
    {
        var table = new ulong[256];
        ulong state = Seed;
        for (int i = 0; i < table.Length; i++)
        {
            state += 0x9E3779B97F4A7C15;
            ulong z = state;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EB;
            table[i] = z ^ (z >> 31);
        }
        return table;
    }
}
