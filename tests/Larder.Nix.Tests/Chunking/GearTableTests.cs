using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Larder.Nix.Chunking;

namespace Larder.Nix.Tests.Chunking;

// Stored chunk boundaries depend on the gear table and the cut rule: if one of these tests fails, existing chunked
// data no longer deduplicates against new pushes. Do not update the expected values; fix the change instead.
// The expected values come from an independent Python implementation of SplitMix64 and of the cut rule.
public class GearTableTests
{
    [Fact]
    public void Gear_table_is_pinned()
    {
        var table = GearTable.Values;
        Assert.Equal(256, table.Length);
        Assert.Equal(0x73511e19ca646e06UL, table[0]);
        Assert.Equal(0x7691e916f7097e36UL, table[1]);
        Assert.Equal(0x7f699b930df31d6aUL, table[255]);
        Assert.True(BitConverter.IsLittleEndian);
        Assert.Equal(
            "cc193492c491ffd88f3d87800878db832bf10ecac7f3ae68e9b8fa59eeccf456",
            Convert.ToHexStringLower(SHA256.HashData(MemoryMarshal.AsBytes(table))));
    }

    [Fact]
    public void Cut_points_of_a_reference_input_are_pinned()
    {
        int[] expected =
        [
            4359, 4153, 1179, 2204, 5499, 5549, 2168, 4148, 5339, 5433, 4344, 1227, 2506, 4715, 3746, 4314, 4469, 7725,
            4596, 1363, 5360, 4296, 4606, 4461, 7087, 4773, 4796, 4604, 5966, 4033, 4822, 4459, 4505, 5162, 5551, 4961,
            4159, 4162, 5262, 4438, 6090, 4182, 4890, 4137, 2935, 4387, 4133, 1121, 3849, 4157, 4774, 4621, 3483, 4775,
            4424, 4102, 5179, 5683, 6053, 2670,
        ];
        var data = ChunkingData.CounterHashBytes(256 * 1024);
        Assert.Equal(expected, ChunkingData.CutLengths(new FastCdcChunker(ChunkingData.Small), data));
    }
}
