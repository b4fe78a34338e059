namespace Larder.Cli.Client;

/// <summary>An archive being downloaded: the key that had it, its announced SHA-256 and size, and the zstd body.</summary>
public sealed class ArtifactDownload(string key, string sha256, long size, Stream body, HttpResponseMessage response) : IDisposable
{
    /// <summary>The key whose archive this is (the requested one or a fallback).</summary>
    public string Key { get; } = key;

    /// <summary>Lower-case hex SHA-256 of the uncompressed archive, as the server recorded it.</summary>
    public string Sha256 { get; } = sha256;

    /// <summary>Size of the uncompressed archive.</summary>
    public long Size { get; } = size;

    /// <summary>The archive, zstd-compressed.</summary>
    public Stream Body { get; } = body;

    public void Dispose()
    {
        Body.Dispose();
        response.Dispose();
    }
}
