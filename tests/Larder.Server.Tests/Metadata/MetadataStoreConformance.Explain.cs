using Larder.Server.Metadata;
using static Larder.Server.Tests.Metadata.MetadataSamples;

namespace Larder.Server.Tests.Metadata;

public abstract partial class MetadataStoreConformance
{
    [Fact]
    public async Task Path_statuses_answer_presence_latest_events_and_same_name_paths_in_query_order()
    {
        var (store, cache) = await StoreWithCacheAsync();
        var upstream = BaseName(HashPart(), "from-upstream");
        var dep = Commit(cache.Id);
        var top = Commit(cache.Id, references: [BaseName(dep.HashPart), upstream]) with { UpstreamReferences = [upstream], At = T0.AddMinutes(1) };
        var gone = Commit(cache.Id);
        await store.CommitNewAsync(dep, Ct);
        await store.CommitNewAsync(top, Ct);
        await store.CommitNewAsync(gone, Ct);
        await store.DeletePathsAsync(cache.Id, [gone.HashPart], "evicted: test", null, T0.AddMinutes(2), Ct);
        var otherPkg = $"/nix/store/{BaseName(HashPart())}";
        var unknown = HashPart();

        var statuses = await store.GetPathStatusesAsync(
            cache.Id, cache.StoreDir,
            [new(top.HashPart, top.StorePath), new(gone.HashPart, null), new(otherPkg[11..43], otherPkg), new(unknown, null)],
            sameNameLimit: 1, Ct);

        Assert.Equal([top.HashPart, gone.HashPart, otherPkg[11..43], unknown], statuses.Select(s => s.HashPart));
        var present = statuses[0].Present!;
        Assert.Equal(top.StorePath, present.StorePath);
        Assert.Equal(top.Nar.NarHash, present.NarHash);
        Assert.Equal(top.Nar.FileSize, present.FileSize);
        Assert.Equal([upstream], present.UpstreamReferences);
        Assert.Equal(new[] { BaseName(dep.HashPart), upstream }.Order(StringComparer.Ordinal), present.References.Order(StringComparer.Ordinal));
        Assert.Equal("push", statuses[0].LatestEvent!.Kind);
        Assert.Null(statuses[1].Present);
        Assert.Equal(("delete", "evicted: test", gone.StorePath), (statuses[1].LatestEvent!.Kind, statuses[1].LatestEvent!.Reason, statuses[1].LatestEvent!.StorePath));
        Assert.Equal(T0.AddMinutes(2), statuses[1].LatestEvent!.At);
        // Same name "pkg": dep and top are present (gone is not); the newest push comes first.
        Assert.Equal([top.StorePath], statuses[2].SameName.Select(s => s.StorePath));
        Assert.Null(statuses[2].LatestEvent);
        Assert.Null(statuses[3].Present);
        Assert.Null(statuses[3].LatestEvent);
        Assert.Empty(statuses[3].SameName);
    }
}
