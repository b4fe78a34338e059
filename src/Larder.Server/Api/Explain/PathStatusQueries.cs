using Larder.Contracts.Explain;
using Larder.Nix.Store;
using Larder.Server.Errors;
using Larder.Server.Metadata;

namespace Larder.Server.Api.Explain;

/// <summary>Validates the paths of a <see cref="PathStatusRequest"/>; each failure is a 400 naming the problem.</summary>
internal static class PathStatusQueries
{
    /// <summary>One query per asked path, in order: a bare hash part, or a store path directly in <paramref name="storeDir"/>.</summary>
    public static IReadOnlyList<PathStatusQuery> Parse(PathStatusRequest request, string storeDir)
    {
        var paths = request.Paths ?? throw new InvalidRequestException("invalid request: 'paths' (store paths or hash parts) is required");
        if (paths.Count > PathStatusRequest.MaxPaths)
        {
            throw new InvalidRequestException(
                $"too many paths: {paths.Count} asked, at most {PathStatusRequest.MaxPaths} per request; split them into several requests");
        }
        var queries = new PathStatusQuery[paths.Count];
        for (var i = 0; i < paths.Count; i++)
        {
            queries[i] = ParseOne(paths[i], storeDir);
        }
        return queries;
    }

    private static PathStatusQuery ParseOne(string? path, string storeDir)
    {
        if (StorePath.IsValidHashPart(path))
        {
            return new PathStatusQuery(path, null);
        }
        if (StorePath.TryParse(path, storeDir, out var storePath))
        {
            return new PathStatusQuery(storePath.HashPart, storePath.FullPath);
        }
        throw new InvalidRequestException(
            $"invalid path '{path}': expected a store path in {storeDir} (such as {storeDir}/<32-character hash>-<name>) or its 32-character hash part");
    }
}
