using Larder.Nix.Hashing;
using Larder.Nix.Store;
using Larder.Server.Errors;
using Larder.Server.Metadata;
using NarInfoRecord = Larder.Nix.NarInfo.NarInfo;

namespace Larder.Server.Ingest;

/// <summary>
/// What a client asks to publish in a cache, whatever the wire form (Nix's <c>PUT &lt;hash&gt;.narinfo</c> or the CLI's
/// path metadata): made only by <see cref="Create"/>, which validates it once against the cache, so
/// <see cref="PathPublisher"/> receives only well-formed requests. <see cref="References"/>, <see cref="Deriver"/> and
/// <see cref="UpstreamReferences"/> are base names (<c>hash-name</c>); <see cref="FileHash"/>/<see cref="FileSize"/>
/// are the client's claims about the file it sent (a narinfo has them; the CLI sends none).
/// </summary>
public sealed record PublishRequest
{
    private PublishRequest()
    {
    }

    public required StorePath StorePath { get; init; }

    public required NixHash NarHash { get; init; }

    public required long NarSize { get; init; }

    public NixHash? FileHash { get; init; }

    public long? FileSize { get; init; }

    /// <summary>Sorted (as Nix keeps them), without duplicates.</summary>
    public required IReadOnlyList<string> References { get; init; }

    public string? Deriver { get; init; }

    /// <summary>The client's own signatures (<c>keyname:base64</c>), kept beside the cache's.</summary>
    public required IReadOnlyList<string> Signatures { get; init; }

    public string? Ca { get; init; }

    /// <summary>References the client did not push because an upstream key of the cache signed them; a subset of <see cref="References"/>.</summary>
    public required IReadOnlyList<string> UpstreamReferences { get; init; }

    /// <summary>The upstream URL a read-through path came from; null for a push.</summary>
    public string? Origin { get; init; }

    /// <summary>The request a narinfo makes, validated against <paramref name="cache"/>.</summary>
    public static PublishRequest FromNarInfo(NarInfoRecord info, CacheRecord cache)
    {
        ArgumentNullException.ThrowIfNull(info);
        return Create(cache, info.StorePath, info.NarHash, info.NarSize, info.FileHash, info.FileSize, info.References, info.Deriver,
            info.Signatures, info.Ca, upstreamReferences: []);
    }

    /// <summary>
    /// Validates the request against <paramref name="cache"/>; every problem is an <see cref="InvalidRequestException"/>
    /// naming the field and the path.
    /// </summary>
    public static PublishRequest Create(
        CacheRecord cache, StorePath storePath, NixHash narHash, long narSize, NixHash? fileHash, long? fileSize,
        IReadOnlyList<string?> references, string? deriver, IReadOnlyList<string?> signatures, string? ca, IReadOnlyList<string?> upstreamReferences)
    {
        ArgumentNullException.ThrowIfNull(cache);
        ArgumentNullException.ThrowIfNull(storePath);
        var path = storePath.FullPath;
        if (storePath.StoreDir != cache.StoreDir)
        {
            throw Bad($"{path} is not in the store directory of cache '{cache.Name}' ({cache.StoreDir})");
        }
        if (narHash.Kind != HashKind.Sha256)
        {
            throw Bad($"NarHash '{narHash}' of {path} is not a sha256 hash");
        }
        if (narSize <= 0)
        {
            throw Bad($"NarSize {narSize} of {path} is not a positive size");
        }
        var checkedReferences = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var reference in references)
        {
            checkedReferences.Add(BaseName(reference, "reference", path));
        }
        if (deriver is not null)
        {
            BaseName(deriver, "deriver", path);
        }
        foreach (var signature in signatures)
        {
            if (string.IsNullOrEmpty(signature) || signature.IndexOf(':', StringComparison.Ordinal) <= 0 || signature.Any(char.IsWhiteSpace))
            {
                throw Bad($"signature '{signature}' of {path} is not 'keyname:base64'");
            }
        }
        if (ca is not null && (ca.Length == 0 || ca.Any(char.IsControl)))
        {
            throw Bad($"CA '{ca}' of {path} is not a content address");
        }
        return new PublishRequest
        {
            StorePath = storePath,
            NarHash = narHash,
            NarSize = narSize,
            FileHash = fileHash,
            FileSize = fileSize,
            References = [.. checkedReferences],
            Deriver = deriver,
            Signatures = [.. signatures.Select(s => s!).Distinct(StringComparer.Ordinal)],
            Ca = ca,
            UpstreamReferences = CheckUpstream(upstreamReferences, checkedReferences, cache, path),
        };
    }

    private static IReadOnlyList<string> CheckUpstream(
        IReadOnlyList<string?> declared, SortedSet<string> references, CacheRecord cache, string path)
    {
        if (declared.Count == 0)
        {
            return [];
        }
        if (cache.UpstreamKeyNames.Count == 0)
        {
            throw Bad($"cache '{cache.Name}' has no upstream keys, so every reference of {path} must be pushed " +
                "(set them with `larder cache configure --upstream-key`)");
        }
        foreach (var reference in declared)
        {
            if (reference is null || !references.Contains(reference))
            {
                throw Bad($"upstream reference '{reference}' is not a reference of {path}");
            }
        }
        return [.. declared.Select(r => r!).Distinct(StringComparer.Ordinal)];
    }

    private static string BaseName(string? name, string field, string path) =>
        StorePath.ValidateBaseName(name ?? "") is { } problem
            ? throw Bad($"{field} '{name}' of {path} is not a store path base name: {problem}")
            : name!;

    private static InvalidRequestException Bad(string message) => new(message);
}
