namespace Larder.Server.Configuration;

/// <summary>The <c>Larder:Storage</c> section: where blobs (NAR chunks, listings, logs) live.</summary>
public sealed class StorageOptions
{
    /// <summary><c>folder</c> (default) or <c>s3</c> (configured under <c>Larder:Storage:S3</c>).</summary>
    public string Kind { get; set; } = "folder";

    public FolderStorageOptions Folder { get; set; } = new();

    public Larder.Server.Storage.S3.S3StorageOptions S3 { get; set; } = new();
}

/// <summary>The <c>Larder:Storage:Folder</c> section.</summary>
public sealed class FolderStorageOptions
{
    /// <summary>Root folder of the blobs (default <c>DATA/blobs</c>).</summary>
    public string? Path { get; set; }
}
