using Larder.Cli.Client;
using Larder.Contracts.Explain;
using Larder.Nix.Hashing;
using Larder.Nix.Store;
using NarInfoRecord = Larder.Nix.NarInfo.NarInfo;

namespace Larder.Cli.Commands.Explain;

/// <summary>A Larder cache, asked through <c>POST …/paths/status</c>: one request per <see cref="PathStatusRequest.MaxPaths"/> paths.</summary>
internal sealed class LarderCacheSource(LarderClient client, string cache, string url) : PathSource
{
    // A server given by URL (LARDER_SERVER) has no name of its own: the cache's URL names it.
    public override string Name => client.Server.Name.Contains("://", StringComparison.Ordinal) ? url : $"{client.Server.Name}:{cache} ({url})";

    public override string Url => url;

    public override bool IsLarder => true;

    /// <summary>The cache's public key, once a query has answered.</summary>
    public string? PublicKey { get; private set; }

    public override async Task<IReadOnlyDictionary<string, PathAnswer>> QueryAsync(IReadOnlyList<string> storePaths, CancellationToken cancellationToken)
    {
        var answers = new Dictionary<string, PathAnswer>(StringComparer.Ordinal);
        foreach (var batch in storePaths.Chunk(PathStatusRequest.MaxPaths))
        {
            var statuses = await client.GetPathStatusesAsync(cache, batch, cancellationToken).ConfigureAwait(false);
            PublicKey = statuses.PublicKey;
            for (var i = 0; i < batch.Length; i++)
            {
                answers[batch[i]] = ToAnswer(batch[i], statuses.Paths[i]);
            }
        }
        return answers;
    }

    private static PathAnswer ToAnswer(string storePath, PathStatusDto status)
    {
        if (!status.Present || status.NarHash is null || status.NarSize is null)
        {
            return new PathAnswer(null, null, [], LatestEvent: status.LatestEvent, SameName: status.SameName);
        }
        var narInfo = new NarInfoRecord
        {
            StorePath = StorePath.Parse(status.StorePath ?? storePath),
            Url = "",
            NarHash = NixHash.Parse(status.NarHash),
            NarSize = status.NarSize.Value,
            References = status.References ?? [],
            Deriver = status.Deriver,
            Signatures = status.Signatures ?? [],
        };
        return new PathAnswer(narInfo, status.DownloadSize ?? status.NarSize, status.MissingReferences ?? [], status.Origin, status.LatestEvent);
    }
}
