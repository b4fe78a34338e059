namespace Larder.Server.Metadata;

/// <summary>
/// A resumable <c>/api/v1</c> upload, shared by every replica: <see cref="Request"/> is the client's JSON request as
/// received, <see cref="ReceivedBytes"/> the sum of its <see cref="Parts"/>' sizes, which are in offset order.
/// </summary>
public sealed record UploadSessionRecord(
    string Id,
    long CacheId,
    string Request,
    long ReceivedBytes,
    DateTimeOffset CreatedAt,
    DateTimeOffset TouchedAt,
    IReadOnlyList<UploadPartRecord> Parts);

/// <summary>The bytes <c>[Offset, Offset + Size)</c> of an upload, stored as the blob <see cref="StorageKey"/>.</summary>
public sealed record UploadPartRecord(long Offset, long Size, string StorageKey);

/// <summary>
/// What <see cref="IMetadataStore.AddUploadPartAsync"/> did: with <see cref="SessionFound"/> false the session is gone;
/// with <see cref="Added"/> false another part got there first. <see cref="ReceivedBytes"/> is the session's length
/// afterwards, where the next part must start.
/// </summary>
public sealed record UploadPartResult(bool SessionFound, bool Added, long ReceivedBytes);
