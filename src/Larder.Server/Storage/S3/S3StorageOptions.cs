namespace Larder.Server.Storage.S3;

/// <summary>The <c>Larder:Storage:S3</c> section: an S3-compatible object store (AWS, Ceph radosgw, …).</summary>
public sealed class S3StorageOptions
{
    /// <summary>The endpoint, e.g. <c>http://127.0.0.1:7480</c>. Empty: AWS itself, for <see cref="Region"/>.</summary>
    public string? ServiceUrl { get; set; }

    /// <summary>The bucket that holds every blob (required).</summary>
    public string? Bucket { get; set; }

    /// <summary>The signing region (default <c>us-east-1</c>).</summary>
    public string Region { get; set; } = "us-east-1";

    /// <summary>Access key id; empty: the <c>AWS_ACCESS_KEY_ID</c> environment variable.</summary>
    public string? AccessKey { get; set; }

    /// <summary>Secret key; empty: the <c>AWS_SECRET_ACCESS_KEY</c> environment variable.</summary>
    public string? SecretKey { get; set; }

    /// <summary>Whether NAR downloads redirect clients to presigned URLs instead of streaming through Larder.</summary>
    public bool PresignedDownloads { get; set; }

    /// <summary>Whether start-up creates the bucket when it does not exist (otherwise a missing bucket is an error).</summary>
    public bool CreateBucket { get; set; }

    /// <summary>Files larger than this go up as a multipart upload of parts of this size, in MiB (default 16, 5 to 512).</summary>
    public int PartSizeMiB { get; set; } = 16;

    /// <summary>How many parts of one multipart upload are sent at once (default 4).</summary>
    public int UploadConcurrency { get; set; } = 4;

    /// <summary>How often the SDK retries a failed request (throttling, 5xx, dropped connections) before giving up (default 4).</summary>
    public int MaxRetries { get; set; } = 4;

    /// <summary>
    /// How long one request (one attempt) may take before it is abandoned (default 5 minutes, 1 second to 1 hour): an
    /// object store that accepts connections but never answers fails a push after at most this times (1 + <see cref="MaxRetries"/>).
    /// </summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromMinutes(5);
}
