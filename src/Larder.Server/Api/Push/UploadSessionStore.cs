using System.Security.Cryptography;
using System.Text.Json;
using Larder.Contracts.Push;
using Larder.Server.Configuration;
using Larder.Server.Errors;

namespace Larder.Server.Api.Push;

/// <summary>
/// Resumable uploads on local disk (<c>DATA/uploads</c>): <c>&lt;id&gt;.json</c> holds the request, <c>&lt;id&gt;.part</c>
/// the bytes received so far. Parts are appended at exactly the current length, so an interrupted part just leaves a
/// shorter file to resume from. Sessions not touched for <see cref="Lifetime"/> are removed when a new one starts.
/// </summary>
internal sealed class UploadSessionStore
{
    /// <summary>How long an abandoned upload is kept.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(24);

    private readonly string _directory;

    public UploadSessionStore(string dataDirectory)
    {
        _directory = Path.Combine(Path.GetFullPath(dataDirectory), "uploads");
        DataDirectoryPermissions.CreateDirectory(_directory);
    }

    /// <summary>Creates a session for <paramref name="request"/> in <paramref name="cache"/>.</summary>
    public UploadSessionInfo Create(string cache, CreateUploadRequest request, DateTimeOffset now)
    {
        RemoveExpired(now);
        var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        var session = new StoredSession(cache, request, now);
        File.WriteAllBytes(MetaPath(id), JsonSerializer.SerializeToUtf8Bytes(session, UploadSessionJsonContext.Default.StoredSession));
        using (File.Create(DataPath(id)))
        {
        }
        return ToInfo(id, session, 0);
    }

    /// <summary>The session <paramref name="id"/> of <paramref name="cache"/>; 404 when unknown, expired or another cache's.</summary>
    public (StoredSession Session, UploadSessionInfo Info) Get(string cache, string id)
    {
        if (id.Length != 32 || !id.All(Uri.IsHexDigit))
        {
            throw new NotFoundException($"no upload '{id}' (upload ids are 32 hex digits)");
        }
        StoredSession? session = null;
        try
        {
            session = JsonSerializer.Deserialize(File.ReadAllBytes(MetaPath(id)), UploadSessionJsonContext.Default.StoredSession);
        }
        catch (FileNotFoundException)
        {
        }
        if (session is null || session.Cache != cache)
        {
            throw new NotFoundException($"no upload '{id}' in cache '{cache}' (it may have expired or been completed)");
        }
        return (session, ToInfo(id, session, new FileInfo(DataPath(id)).Length));
    }

    /// <summary>
    /// Appends <paramref name="body"/> at <paramref name="offset"/>, which must be the received length (409 otherwise,
    /// or while another part of the same upload is being written). Total size is capped at <paramref name="maxBytes"/>.
    /// </summary>
    public async Task<long> AppendAsync(string id, long offset, Stream body, long maxBytes, CancellationToken cancellationToken)
    {
        FileStream file;
        try
        {
            file = new FileStream(DataPath(id), FileMode.Open, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous);
        }
        catch (IOException)
        {
            throw new ConflictException($"another part of upload '{id}' is being written");
        }
        await using (file.ConfigureAwait(false))
        {
            if (file.Length != offset)
            {
                throw new ConflictException(
                    $"the part starts at offset {offset}, but upload '{id}' has {file.Length} bytes: resume from {file.Length}");
            }
            file.Seek(offset, SeekOrigin.Begin);
            var bounded = new Nix.Streams.BoundedReadStream(body, maxBytes - offset, "the upload", leaveOpen: true);
            try
            {
                await bounded.CopyToAsync(file, 1 << 17, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                // Keep whatever arrived before an interruption: the client resumes from the new length.
                await file.FlushAsync(CancellationToken.None).ConfigureAwait(false);
            }
            return file.Length;
        }
    }

    /// <summary>Opens the received bytes for ingestion.</summary>
    public FileStream OpenData(string id) =>
        new(DataPath(id), FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 17, FileOptions.Asynchronous | FileOptions.SequentialScan);

    /// <summary>Removes a session's files (after it was committed or abandoned).</summary>
    public void Delete(string id)
    {
        Ingest.StagingArea.TryDelete(MetaPath(id));
        Ingest.StagingArea.TryDelete(DataPath(id));
    }

    private void RemoveExpired(DateTimeOffset now)
    {
        foreach (var meta in Directory.EnumerateFiles(_directory, "*.json"))
        {
            var data = Path.ChangeExtension(meta, ".part");
            var touched = File.Exists(data) ? File.GetLastWriteTimeUtc(data) : File.GetLastWriteTimeUtc(meta);
            if (now.UtcDateTime - touched > Lifetime)
            {
                Ingest.StagingArea.TryDelete(meta);
                Ingest.StagingArea.TryDelete(data);
            }
        }
    }

    private static UploadSessionInfo ToInfo(string id, StoredSession session, long received) =>
        new(id, session.Request.Path.StorePath, session.Request.Compression, received, session.CreatedAt);

    private string MetaPath(string id) => Path.Combine(_directory, id + ".json");

    private string DataPath(string id) => Path.Combine(_directory, id + ".part");
}

/// <summary>What <see cref="UploadSessionStore"/> keeps about a session besides its bytes.</summary>
internal sealed record StoredSession(string Cache, CreateUploadRequest Request, DateTimeOffset CreatedAt);
