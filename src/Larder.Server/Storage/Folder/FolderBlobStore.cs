using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Larder.Server.Configuration;
using Larder.Server.Storage.Packs;

namespace Larder.Server.Storage.Folder;

/// <summary>
/// <see cref="IBlobStore"/> on a local folder: the blob <c>a/b.zst</c> is the file <c>ROOT/a/b.zst</c>. A put goes to
/// a temporary file under <c>ROOT/.tmp</c> (same file system), is flushed to disk, then renamed into place, so a blob
/// is either absent or complete. Keys are checked so nothing can name a file outside the root.
/// </summary>
public sealed class FolderBlobStore : IBlobStore
{
    private const string TempFolderName = ".tmp";
    private readonly string _root;
    private readonly string _temp;
    private readonly ConcurrentDictionary<string, byte> _durableDirectories = new(StringComparer.Ordinal);

    public FolderBlobStore(string root)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        _root = Path.GetFullPath(root);
        _temp = Path.Combine(_root, TempFolderName);
        // Private caches' blobs live here: readable by the server's user only.
        DataDirectoryPermissions.CreateDirectory(_root);
        DataDirectoryPermissions.CreateDirectory(_temp);
    }

    /// <summary>The absolute root folder.</summary>
    public string Root => _root;

    /// <inheritdoc />
    public Task PrepareAsync(CancellationToken cancellationToken)
    {
        var probe = Path.Combine(_temp, $"probe-{Guid.NewGuid():N}");
        try
        {
            Directory.CreateDirectory(_temp);
            File.WriteAllBytes(probe, []);
            File.Delete(probe);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new LarderConfigurationException(
                $"the blob folder '{_root}' is not writable ({e.Message}): check Larder:Storage:Folder:Path and its permissions", e);
        }
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public async Task PutFileAsync(string key, string localPath, CancellationToken cancellationToken)
    {
        var target = PathFor(key);
        ArgumentException.ThrowIfNullOrEmpty(localPath);
        var temp = Path.Combine(_temp, Guid.NewGuid().ToString("N"));
        try
        {
            // A rename when on the same file system, else a copy: either way into the temp folder first.
            File.Move(localPath, temp);
            // Both keep the local file's time, but an interrupted write is told by the age of its temp file: a put of a
            // file written long ago must not look interrupted (and be removed) while it runs.
            File.SetLastWriteTimeUtc(temp, DateTime.UtcNow);
            await FlushToDiskAsync(temp, cancellationToken).ConfigureAwait(false);
            MoveIntoPlace(temp, target);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    /// <inheritdoc />
    public async Task PutBytesAsync(string key, ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        var target = PathFor(key);
        var temp = Path.Combine(_temp, Guid.NewGuid().ToString("N"));
        try
        {
            var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.None);
            await using (stream.ConfigureAwait(false))
            {
                await stream.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
                stream.Flush(flushToDisk: true);
            }
            MoveIntoPlace(temp, target);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    /// <inheritdoc />
    public async Task<Stream> OpenRangeAsync(string key, long offset, long length, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        return new RangeReadStream(await OpenReadAsync(key, offset, cancellationToken).ConfigureAwait(false), length);
    }

    /// <inheritdoc />
    public Task<Stream> OpenReadAsync(string key, long offset, CancellationToken cancellationToken)
    {
        var path = PathFor(key);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        cancellationToken.ThrowIfCancellationRequested();
        FileStream stream;
        try
        {
            stream = new FileStream(path, new FileStreamOptions
            {
                Mode = FileMode.Open,
                Access = FileAccess.Read,
                Share = FileShare.Read | FileShare.Delete,
                Options = FileOptions.Asynchronous | FileOptions.SequentialScan,
                BufferSize = 0,
            });
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new BlobNotFoundException(key);
        }
        if (offset > stream.Length)
        {
            var length = stream.Length;
            stream.Dispose();
            throw new ArgumentOutOfRangeException(nameof(offset), offset, $"blob '{key}' has only {length} bytes");
        }
        stream.Position = offset;
        return Task.FromResult<Stream>(stream);
    }

    /// <inheritdoc />
    public Task<long?> GetSizeAsync(string key, CancellationToken cancellationToken)
    {
        var info = new FileInfo(PathFor(key));
        return Task.FromResult(info.Exists ? info.Length : (long?)null);
    }

    /// <inheritdoc />
    public Task DeleteAsync(string key, CancellationToken cancellationToken)
    {
        try
        {
            File.Delete(PathFor(key));
        }
        catch (DirectoryNotFoundException)
        {
            // A key never written (an intent whose put was cancelled) may lack its shard folder too: already deleted.
        }
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<BlobInfo> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        if (prefix.Length > 0 && !BlobKeys.IsValidPrefix(prefix))
        {
            throw new ArgumentException($"invalid blob key prefix '{prefix}'", nameof(prefix));
        }
        // Start at the deepest folder the prefix names, so listing "chunks/" does not walk everything else.
        var slash = prefix.LastIndexOf('/');
        var start = slash < 0 ? _root : Path.Combine(_root, prefix[..slash]);
        if (!Directory.Exists(start))
        {
            yield break;
        }
        var options = new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true, AttributesToSkip = 0 };
        foreach (var file in new DirectoryInfo(start).EnumerateFiles("*", options))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var key = Path.GetRelativePath(_root, file.FullName).Replace(Path.DirectorySeparatorChar, '/');
            if (key.StartsWith(TempFolderName + "/", StringComparison.Ordinal) || !key.StartsWith(prefix, StringComparison.Ordinal))
            {
                continue;
            }
            yield return new BlobInfo(key, file.Length, file.LastWriteTimeUtc);
        }
        await Task.CompletedTask.ConfigureAwait(false);
    }

    /// <inheritdoc />
    public Uri? GetDirectDownloadUrl(string key, TimeSpan validFor) => null;

    /// <summary>Deletes the temporary files of puts interrupted more than <paramref name="olderThan"/> ago; returns how many.</summary>
    public Task<int> RemoveInterruptedWritesAsync(TimeSpan olderThan, CancellationToken cancellationToken)
    {
        var cutoff = DateTime.UtcNow - olderThan;
        var removed = 0;
        foreach (var file in new DirectoryInfo(_temp).EnumerateFiles())
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (file.LastWriteTimeUtc < cutoff && TryDelete(file.FullName))
            {
                removed++;
            }
        }
        return Task.FromResult(removed);
    }

    private string PathFor(string key)
    {
        BlobKeys.Validate(key);
        var path = Path.GetFullPath(Path.Combine(_root, key));
        // Belt and braces: validation already rules out "..", absolute keys and other escapes.
        if (!path.StartsWith(_root + Path.DirectorySeparatorChar, StringComparison.Ordinal) || path.StartsWith(_temp + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            throw new ArgumentException($"blob key '{key}' escapes the storage folder", nameof(key));
        }
        return path;
    }

    /// <summary>Renames the flushed <paramref name="temp"/> file to <paramref name="target"/>, durably.</summary>
    private void MoveIntoPlace(string temp, string target)
    {
        var directory = Path.GetDirectoryName(target)!;
        EnsureDurableDirectory(directory);
        try
        {
            File.Move(temp, target, overwrite: true);
        }
        catch (DirectoryNotFoundException)
        {
            // Removed behind our back since: make it again.
            _durableDirectories.TryRemove(directory, out _);
            EnsureDurableDirectory(directory);
            File.Move(temp, target, overwrite: true);
        }
        // Make the rename itself durable before anyone records the blob as stored.
        DirectorySync.Flush(directory);
    }

    /// <summary>
    /// Creates <paramref name="directory"/> (under the root) if needed, and makes its entry and those of its parents up
    /// to the root durable, once per directory and process: a blob in a directory whose own entry a power loss could
    /// undo would be lost with it.
    /// </summary>
    private void EnsureDurableDirectory(string directory)
    {
        if (_durableDirectories.ContainsKey(directory))
        {
            return;
        }
        Directory.CreateDirectory(directory);
        for (var level = directory; level.Length > _root.Length; level = Path.GetDirectoryName(level)!)
        {
            DirectorySync.Flush(Path.GetDirectoryName(level)!);
        }
        _durableDirectories.TryAdd(directory, 0);
    }

    private static async Task FlushToDiskAsync(string path, CancellationToken cancellationToken)
    {
        var stream = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.None);
        await using (stream.ConfigureAwait(false))
        {
            cancellationToken.ThrowIfCancellationRequested();
            stream.Flush(flushToDisk: true);
        }
    }

    private static bool TryDelete(string path)
    {
        try
        {
            File.Delete(path);
            return true;
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }
}
