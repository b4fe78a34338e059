namespace Larder.Contracts.Push;

/// <summary>
/// Body of <c>POST /api/v1/caches/{cache}/uploads</c>: starts a resumable upload of one path's NAR, sent in parts.
/// <see cref="Compression"/> (<c>none</c> or <c>zstd</c>) describes the bytes the parts will carry.
/// </summary>
public sealed record CreateUploadRequest(PushPathMetadata Path, string Compression);

/// <summary>
/// A resumable upload: <see cref="ReceivedBytes"/> is how many bytes the server holds, the offset the next
/// <c>PATCH …/uploads/{id}</c> must start at.
/// </summary>
public sealed record UploadSessionInfo(string Id, string StorePath, string Compression, long ReceivedBytes, DateTimeOffset CreatedAt);
