using Larder.Server.Storage.Chunks;
using Larder.Server.Storage.Packs;

namespace Larder.Server.Storage.SharedPacks;

/// <summary>The packs gathered for one shared blob: their bytes one after the other, and who waits for which chunks.</summary>
internal sealed class SharedPackBatch(int capacity) : IDisposable
{
    private readonly List<SharedPackMember> _members = [];
    private readonly List<CompanionBlob> _companions = [];

    /// <summary>The gathered packs as one.</summary>
    public PackBuilder Pack { get; } = new(capacity);

    /// <summary>The companions of the members, stored beside the pack.</summary>
    public IReadOnlyList<CompanionBlob> Companions => _companions;

    /// <summary>How many packs were gathered.</summary>
    public int Members => _members.Count;

    public bool Fits(PackBuilder pack) => Pack.Fits(pack.Bytes.Length);

    /// <summary>Copies <paramref name="pack"/> (and <paramref name="companion"/>) in; the member awaits the batch's store.</summary>
    public SharedPackMember Add(PackBuilder pack, CompanionBlob? companion)
    {
        var member = new SharedPackMember(Pack.Append(pack), pack.Chunks.Count);
        _members.Add(member);
        if (companion is not null)
        {
            _companions.Add(companion with { Bytes = companion.Bytes.ToArray() });
        }
        return member;
    }

    /// <summary>Hands each member the records of its chunks.</summary>
    public void Complete(PackRegistration registration)
    {
        foreach (var member in _members)
        {
            member.Complete(registration);
        }
    }

    public void Fail(Exception error)
    {
        foreach (var member in _members)
        {
            member.Fail(error);
        }
    }

    public void Dispose() => Pack.Dispose();
}
