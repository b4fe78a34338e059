using Larder.Fuzz.Targets;

namespace Larder.Fuzz;

/// <summary>Every fuzz target, by name, and the self-check's planted bug.</summary>
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

    /// <summary>The target <c>eng/fuzz.sh</c> runs first to prove that a crash is found (not in <see cref="All"/>).</summary>
    public static IFuzzTarget SelfCheck { get; } = new PlantedCrashTarget();

    public static IFuzzTarget? Find(string name) => All.Append(SelfCheck).FirstOrDefault(t => t.Name == name);
}
