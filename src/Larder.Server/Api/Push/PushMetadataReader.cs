using System.Text.Json;
using Larder.Contracts.Push;
using Larder.Nix.Hashing;
using Larder.Nix.Store;
using Larder.Server.Errors;
using Larder.Server.Metadata;
using NarInfoRecord = Larder.Nix.NarInfo.NarInfo;

namespace Larder.Server.Api.Push;

/// <summary>
/// Validates the <see cref="PushPathMetadata"/> a client sends with an upload and turns it into the narinfo that
/// <see cref="Ingest.PathPublisher"/> checks against the received NAR. Every problem is a 400 naming the field.
/// </summary>
internal static class PushMetadataReader
{
    /// <summary>Decodes the base64url JSON of the <see cref="PushProtocol.PathInfoHeader"/> header.</summary>
    public static PushPathMetadata FromHeader(string? header)
    {
        if (string.IsNullOrWhiteSpace(header))
        {
            throw Bad($"the {PushProtocol.PathInfoHeader} header (base64url JSON of the path's metadata) is missing");
        }
        byte[] json;
        try
        {
            var base64 = header.Trim().Replace('-', '+').Replace('_', '/');
            json = Convert.FromBase64String(base64.PadRight(base64.Length + ((4 - (base64.Length % 4)) % 4), '='));
        }
        catch (FormatException)
        {
            throw Bad($"the {PushProtocol.PathInfoHeader} header is not base64url");
        }
        try
        {
            return JsonSerializer.Deserialize(json, PushJsonContext.Default.PushPathMetadata)
                ?? throw Bad($"the {PushProtocol.PathInfoHeader} header is JSON null");
        }
        catch (JsonException e)
        {
            throw Bad($"the {PushProtocol.PathInfoHeader} header is not valid path metadata JSON: {e.Message}");
        }
    }

    /// <summary>The narinfo (URL and file fields left for the server to fill) for <paramref name="metadata"/>.</summary>
    public static NarInfoRecord ToNarInfo(PushPathMetadata metadata, CacheRecord cache)
    {
        if (string.IsNullOrEmpty(metadata.StorePath))
        {
            throw Bad("the path metadata has no storePath");
        }
        if (!StorePath.TryParse(metadata.StorePath, out var storePath))
        {
            throw Bad($"'{metadata.StorePath}' is not a valid store path");
        }
        if (storePath.StoreDir != cache.StoreDir)
        {
            throw Bad($"{storePath.FullPath} is not in cache '{cache.Name}''s store directory {cache.StoreDir}");
        }
        if (!NixHash.TryParse(metadata.NarHash, out var narHash) || narHash.Kind != HashKind.Sha256)
        {
            throw Bad($"narHash '{metadata.NarHash}' of {storePath.FullPath} is not a sha256 hash");
        }
        if (metadata.NarSize <= 0)
        {
            throw Bad($"narSize {metadata.NarSize} of {storePath.FullPath} is not a positive size");
        }
        var references = metadata.References ?? [];
        foreach (var reference in references)
        {
            if (StorePath.ValidateBaseName(reference ?? "") is { } problem)
            {
                throw Bad($"reference '{reference}' of {storePath.FullPath} is not a store path base name: {problem}");
            }
        }
        if (metadata.Deriver is { } deriver && StorePath.ValidateBaseName(deriver) is { } deriverProblem)
        {
            throw Bad($"deriver '{deriver}' of {storePath.FullPath} is not a store path base name: {deriverProblem}");
        }
        var signatures = metadata.Signatures ?? [];
        foreach (var signature in signatures)
        {
            if (string.IsNullOrEmpty(signature) || signature.IndexOf(':', StringComparison.Ordinal) <= 0 || signature.Any(char.IsWhiteSpace))
            {
                throw Bad($"signature '{signature}' of {storePath.FullPath} is not 'keyname:base64'");
            }
        }
        if (metadata.Ca is { } ca && (ca.Length == 0 || ca.Any(char.IsControl)))
        {
            throw Bad($"ca '{ca}' of {storePath.FullPath} is not a content address");
        }
        return new NarInfoRecord
        {
            StorePath = storePath,
            Url = $"nar/{narHash.ToBase32()}.nar",
            Compression = "none",
            NarHash = narHash,
            NarSize = metadata.NarSize,
            References = [.. references.Order(StringComparer.Ordinal)],
            Deriver = metadata.Deriver,
            Signatures = signatures,
            Ca = metadata.Ca,
        };
    }

    /// <summary>
    /// The references <paramref name="metadata"/> declares as provided upstream, checked: the cache must have upstream
    /// keys, and each must be one of the path's references.
    /// </summary>
    public static IReadOnlyList<string> UpstreamReferences(PushPathMetadata metadata, NarInfoRecord info, CacheRecord cache)
    {
        var declared = metadata.UpstreamReferences ?? [];
        if (declared.Count == 0)
        {
            return [];
        }
        if (cache.UpstreamKeyNames.Count == 0)
        {
            throw Bad($"cache '{cache.Name}' has no upstream keys, so every reference of {info.StorePath.FullPath} must be pushed " +
                "(set them with `larder cache configure --upstream-key`)");
        }
        foreach (var reference in declared)
        {
            if (!info.References.Contains(reference, StringComparer.Ordinal))
            {
                throw Bad($"upstream reference '{reference}' is not a reference of {info.StorePath.FullPath}");
            }
        }
        return [.. declared.Distinct(StringComparer.Ordinal)];
    }

    private static LarderException Bad(string message) => new(ErrorKind.BadRequest, message);
}
