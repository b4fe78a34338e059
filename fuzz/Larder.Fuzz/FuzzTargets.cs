using Larder.Fuzz.Targets;

namespace Larder.Fuzz;

/// <summary>Every fuzz target, by name.</summary>
internal static class FuzzTargets
{
    public static IReadOnlyList<IFuzzTarget> All { get; } =
    [
        new NarListingTarget(),
        new NarRestoreTarget(),
        new NarInfoTarget(),
        new PushMetadataTarget(),
        new ChunkRequestTarget(),
        new RequestPathTarget(),
    ];

    public static IFuzzTarget? Find(string name) => All.FirstOrDefault(t => t.Name == name);
}
