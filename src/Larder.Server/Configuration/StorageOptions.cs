namespace Larder.Server.Configuration;

/// <summary>The <c>Larder:Storage</c> section: where blobs (NAR chunks, listings, logs) live.</summary>
public sealed class StorageOptions
{
    /// <summary><c>folder</c> (default) or <c>s3</c> (configured under <c>Larder:Storage:S3</c>).</summary>
    public string Kind { get; set; } = "folder";

    public FolderStorageOptions Folder { get; set; } = new();

    public Larder.Server.Storage.S3.S3StorageOptions S3 { get; set; } = new();

    /// <summary>
    /// Packs and chunks of at most this many stored bytes are kept in the metadata database instead of the folder or
    /// bucket (<c>Larder:Storage:InlineThreshold</c>); 0 keeps every blob in the blob store. See <see cref="Larder.Server.Storage.Inline.InlineBlobStore"/>.
    /// </summary>
    public int InlineThreshold { get; set; } = Larder.Server.Storage.Inline.InlineBlobStore.DefaultThreshold;

    /// <summary>
    /// Packs of at most this many stored bytes that go to the blob store (above <see cref="InlineThreshold"/>) may share
    /// one blob with the packs of concurrent uploads (<c>Larder:Storage:SharedPackThreshold</c>, default 1 MiB); 0 stores
    /// each upload's pack alone. See <see cref="Larder.Server.Storage.SharedPacks.SharedPackWriter"/>.
    /// </summary>
    public int SharedPackThreshold { get; set; } = DefaultSharedPackThreshold;

    /// <summary>The default <see cref="SharedPackThreshold"/>: a NAR of a few chunks.</summary>
    public const int DefaultSharedPackThreshold = 1 << 20;

    /// <summary>Throws <see cref="LarderConfigurationException"/> naming the first key that is out of range.</summary>
    public void Validate()
    {
        if (InlineThreshold < 0 || InlineThreshold > Larder.Server.Storage.Inline.InlineBlobStore.MaxThreshold)
        {
            throw new LarderConfigurationException(
                $"Larder:Storage:InlineThreshold: {InlineThreshold} is out of range: 0 (keep every blob in the blob store) to {Larder.Server.Storage.Inline.InlineBlobStore.MaxThreshold} (1 MiB)");
        }
        if (SharedPackThreshold < 0 || SharedPackThreshold > Larder.Server.Storage.SharedPacks.SharedPackWriter.Capacity)
        {
            throw new LarderConfigurationException(
                $"Larder:Storage:SharedPackThreshold: {SharedPackThreshold} is out of range: 0 (store each upload's pack alone) to {Larder.Server.Storage.SharedPacks.SharedPackWriter.Capacity} (4 MiB)");
        }
    }
}

/// <summary>The <c>Larder:Storage:Folder</c> section.</summary>
public sealed class FolderStorageOptions
{
    /// <summary>Root folder of the blobs (default <c>DATA/blobs</c>).</summary>
    public string? Path { get; set; }
}
