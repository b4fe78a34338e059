using System.Security.Cryptography;
using System.Text.Json;
using Larder.Contracts.Push;
using Larder.Nix.Streams;
using Larder.Server.Configuration;
using Larder.Server.Errors;
using Larder.Server.Ingest;
using Larder.Server.Metadata;
using Larder.Server.Storage;
using Microsoft.Extensions.Options;

namespace Larder.Server.Api.Push;

/// <summary>
/// Resumable uploads in shared storage, so any replica continues an upload another one began: the session (request,
/// received length, parts) is a database row, each part a blob <c>uploads/&lt;id&gt;/&lt;offset&gt;-&lt;random&gt;.part</c>.
/// A part is spooled to the staging folder, stored, then appended only if the session still holds exactly the bytes
/// before it (<see cref="IMetadataStore.AddUploadPartAsync"/>), so racing parts cannot interleave. Sessions not touched
/// for <see cref="Lifetime"/> are removed by the reaper, which also deletes their parts.
/// </summary>
internal sealed class UploadSessionStore(
    IMetadataStore metadata, IBlobStore blobs, StagingArea staging, IOptions<LarderOptions> options, TimeProvider time)
{
    /// <summary>How long an abandoned upload is kept.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(24);

    private const int BufferSize = 1 << 17;

    /// <summary>Creates a session for <paramref name="request"/> in <paramref name="cache"/>.</summary>
    public async Task<UploadSessionInfo> CreateAsync(CacheRecord cache, CreateUploadRequest request, CancellationToken cancellationToken)
    {
        var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        var now = time.GetUtcNow();
        var json = JsonSerializer.Serialize(request, PushJsonContext.Default.CreateUploadRequest);
        await metadata.CreateUploadSessionAsync(new UploadSessionRecord(id, cache.Id, json, 0, now, now, []), cancellationToken).ConfigureAwait(false);
        return ToInfo(id, request, 0, now);
    }

    /// <summary>The session <paramref name="id"/> of <paramref name="cache"/> (marked as used now); 404 when unknown, expired or another cache's.</summary>
    public async Task<UploadSession> GetAsync(CacheRecord cache, string id, CancellationToken cancellationToken)
    {
        if (id.Length != 32 || !id.All(char.IsAsciiHexDigitLower))
        {
            throw new NotFoundException("no such upload (upload ids are 32 lowercase hex digits)");
        }
        var now = time.GetUtcNow();
        var record = await metadata.TouchUploadSessionAsync(cache.Id, id, now - Lifetime, now, cancellationToken).ConfigureAwait(false)
            ?? throw new NotFoundException($"no upload '{id}' in cache '{cache.Name}' (it may have expired or been completed)");
        var request = JsonSerializer.Deserialize(record.Request, PushJsonContext.Default.CreateUploadRequest)
            ?? throw new InvalidOperationException($"upload '{id}' has no stored request");
        return new UploadSession(record, request, ToInfo(id, request, record.ReceivedBytes, record.CreatedAt));
    }

    /// <summary>
    /// Appends <paramref name="body"/> at <paramref name="offset"/>, which must be the received length (409 otherwise,
    /// also when another part at the same offset wins meanwhile). Total size is capped at <paramref name="maxBytes"/>.
    /// What arrived before an interruption is kept, so the client resumes from the new length.
    /// </summary>
    public async Task<long> AppendAsync(UploadSession session, long offset, Stream body, long maxBytes, CancellationToken cancellationToken)
    {
        var received = session.Record.ReceivedBytes;
        if (offset != received)
        {
            throw ResumeFrom(session.Record.Id, offset, received);
        }
        var file = staging.NewFilePath(".part");
        try
        {
            long length;
            var spool = new FileStream(file, FileMode.CreateNew, FileAccess.Write, FileShare.None, BufferSize, FileOptions.Asynchronous);
            await using (spool.ConfigureAwait(false))
            {
                try
                {
                    var bounded = new BoundedReadStream(body, maxBytes - offset, "the upload", leaveOpen: true);
                    await bounded.CopyToAsync(spool, BufferSize, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception) when (spool.Length > 0)
                {
                    await spool.FlushAsync(CancellationToken.None).ConfigureAwait(false);
                    await spool.DisposeAsync().ConfigureAwait(false);
                    await StorePartAsync(session.Record.Id, offset, file, new FileInfo(file).Length, CancellationToken.None).ConfigureAwait(false);
                    throw;
                }
                length = spool.Length;
            }
            return length == 0 ? received : await StorePartAsync(session.Record.Id, offset, file, length, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            StagingArea.TryDelete(file);
        }
    }

    /// <summary>The received bytes, in order, streamed from the blob store.</summary>
    public Stream OpenData(UploadSession session) => new UploadPartsStream(blobs, session.Record.Parts);

    /// <summary>Removes a session and its parts (after it was committed or abandoned).</summary>
    public Task DeleteAsync(string id, CancellationToken cancellationToken) =>
        metadata.DeleteUploadSessionAsync(id, time.GetUtcNow(), cancellationToken);

    private async Task<long> StorePartAsync(string id, long offset, string file, long length, CancellationToken cancellationToken)
    {
        var key = $"uploads/{id}/{offset:D15}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6))}.part";
        await metadata.RecordBlobIntentsAsync([key], time.GetUtcNow() + options.Value.Maintenance.StagedUploadTtl, cancellationToken)
            .ConfigureAwait(false);
        await blobs.PutFileAsync(key, file, cancellationToken).ConfigureAwait(false);
        var result = await metadata.AddUploadPartAsync(id, new UploadPartRecord(offset, length, key), time.GetUtcNow(), cancellationToken)
            .ConfigureAwait(false);
        if (!result.SessionFound)
        {
            throw new NotFoundException($"upload '{id}' was completed, abandoned or expired while this part was received");
        }
        return result.Added ? result.ReceivedBytes : throw ResumeFrom(id, offset, result.ReceivedBytes);
    }

    private static ConflictException ResumeFrom(string id, long offset, long received) =>
        new($"the part starts at offset {offset}, but upload '{id}' has {received} bytes: resume from {received}");

    private static UploadSessionInfo ToInfo(string id, CreateUploadRequest request, long received, DateTimeOffset createdAt) =>
        new(id, request.Path.StorePath, request.Compression, received, createdAt);
}

/// <summary>A session as read by <see cref="UploadSessionStore.GetAsync"/>: its row, the client's request, and the API view.</summary>
internal sealed record UploadSession(UploadSessionRecord Record, CreateUploadRequest Request, UploadSessionInfo Info);
