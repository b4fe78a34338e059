using System.Text.Json;
using Larder.Contracts.Push;
using Larder.Nix.Hashing;
using Larder.Nix.Store;
using Larder.Server.Errors;
using Larder.Server.Ingest;
using Larder.Server.Metadata;

namespace Larder.Server.Api.Push;

/// <summary>
/// Reads the <see cref="PushPathMetadata"/> a client sends with an upload and turns it into the
/// <see cref="PublishRequest"/> that <see cref="PathPublisher"/> checks against the received NAR. Every problem is an
/// <see cref="InvalidRequestException"/> naming the field.
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

    /// <summary>The <see cref="PublishRequest"/> <paramref name="metadata"/> makes, validated against <paramref name="cache"/>.</summary>
    public static PublishRequest ToPublishRequest(PushPathMetadata metadata, CacheRecord cache)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        if (string.IsNullOrEmpty(metadata.StorePath))
        {
            throw Bad("the path metadata has no storePath");
        }
        if (!StorePath.TryParse(metadata.StorePath, out var storePath))
        {
            throw Bad($"'{metadata.StorePath}' is not a valid store path");
        }
        if (!NixHash.TryParse(metadata.NarHash, out var narHash))
        {
            throw Bad($"narHash '{metadata.NarHash}' of {storePath.FullPath} is not a sha256 hash");
        }
        return PublishRequest.Create(
            cache, storePath, narHash, metadata.NarSize, fileHash: null, fileSize: null, metadata.References ?? [], metadata.Deriver,
            metadata.Signatures ?? [], metadata.Ca, metadata.UpstreamReferences ?? []);
    }

    private static InvalidRequestException Bad(string message) => new(message);
}
