using System.Runtime.InteropServices;
using System.Net;
using System.Runtime.CompilerServices;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Larder.Server.Configuration;
using Larder.Server.Storage.Packs;
using Larder.Server.Errors;

namespace Larder.Server.Storage.S3;

/// <summary>
/// <see cref="IBlobStore"/> on an S3-compatible bucket (path-style addressing, so Ceph radosgw and MinIO work). Small
/// files go up in one PUT, large ones as a multipart upload streamed from the file part by part, aborted on failure,
/// so a blob is either absent or complete. Transient errors are retried by the SDK (<see cref="S3StorageOptions.MaxRetries"/>);
/// when the store stays unreachable the operation fails with <see cref="LarderException"/> (503).
/// </summary>
public sealed partial class S3BlobStore : IBlobStore, IDisposable
{
    private const long MiB = 1024 * 1024;
    private const int MaxParts = 10_000;
    private readonly AmazonS3Client _client;
    private readonly S3StorageOptions _options;
    private readonly string _bucket;
    private readonly bool _httpEndpoint;

    /// <summary>Creates the client; throws <see cref="LarderConfigurationException"/> naming a missing or invalid key.</summary>
    public S3BlobStore(S3StorageOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _bucket = string.IsNullOrWhiteSpace(options.Bucket)
            ? throw new LarderConfigurationException("Larder:Storage:S3:Bucket is required when Larder:Storage:Kind is 's3'")
            : options.Bucket;
        if (options.PartSizeMiB is < 5 or > 512)
        {
            throw new LarderConfigurationException($"Larder:Storage:S3:PartSizeMiB must be between 5 and 512, not {options.PartSizeMiB}");
        }
        if (options.UploadConcurrency is < 1 or > 64)
        {
            throw new LarderConfigurationException($"Larder:Storage:S3:UploadConcurrency must be between 1 and 64, not {options.UploadConcurrency}");
        }
        if (options.MaxRetries is < 0 or > 20)
        {
            throw new LarderConfigurationException($"Larder:Storage:S3:MaxRetries must be between 0 and 20, not {options.MaxRetries}");
        }
        if (options.RequestTimeout < TimeSpan.FromSeconds(1) || options.RequestTimeout > TimeSpan.FromHours(1))
        {
            throw new LarderConfigurationException($"Larder:Storage:S3:RequestTimeout must be between 00:00:01 and 01:00:00, not {options.RequestTimeout}");
        }
        var config = new AmazonS3Config
        {
            ForcePathStyle = true,
            AuthenticationRegion = options.Region,
            RetryMode = RequestRetryMode.Standard,
            MaxErrorRetry = options.MaxRetries,
            Timeout = options.RequestTimeout,
        };
        if (!string.IsNullOrWhiteSpace(options.ServiceUrl))
        {
            if (!Uri.TryCreate(options.ServiceUrl, UriKind.Absolute, out var serviceUri) || serviceUri.Scheme is not ("http" or "https"))
            {
                throw new LarderConfigurationException($"Larder:Storage:S3:ServiceUrl '{options.ServiceUrl}' is not an http(s) URL");
            }
            config.ServiceURL = options.ServiceUrl;
            _httpEndpoint = serviceUri.Scheme == "http";
        }
        else
        {
            config.RegionEndpoint = Amazon.RegionEndpoint.GetBySystemName(options.Region);
        }
        _client = new AmazonS3Client(ResolveCredentials(options), config);
    }

    /// <summary>The bucket name.</summary>
    public string Bucket => _bucket;

    /// <summary>Keys per ListObjectsV2 page (S3's maximum is 1000); smaller in tests to exercise paging.</summary>
    internal int ListPageSize { get; init; } = 1000;

    /// <summary>
    /// Checks at start-up that the bucket is reachable, creating it first when <see cref="S3StorageOptions.CreateBucket"/>
    /// is set. Throws <see cref="LarderConfigurationException"/> with the reason otherwise.
    /// </summary>
    public async Task PrepareAsync(CancellationToken cancellationToken)
    {
        try
        {
            if (_options.CreateBucket && !await BucketExistsAsync(cancellationToken).ConfigureAwait(false))
            {
                try
                {
                    await _client.PutBucketAsync(new PutBucketRequest { BucketName = _bucket, UseClientRegion = true }, cancellationToken)
                        .ConfigureAwait(false);
                }
                catch (AmazonS3Exception e) when (e.ErrorCode is "BucketAlreadyOwnedByYou" or "BucketAlreadyExists")
                {
                    // Another replica created it a moment ago.
                }
            }
            if (!await BucketExistsAsync(cancellationToken).ConfigureAwait(false))
            {
                throw new LarderConfigurationException(
                    $"the S3 bucket '{_bucket}' does not exist at {Endpoint}: create it, or set Larder:Storage:S3:CreateBucket to true");
            }
        }
        catch (AmazonS3Exception e) when (e.StatusCode is HttpStatusCode.Forbidden)
        {
            throw new LarderConfigurationException(
                $"the S3 store at {Endpoint} refused access to bucket '{_bucket}' ({e.ErrorCode}): check Larder:Storage:S3:AccessKey and SecretKey", e);
        }
        catch (Exception e) when (IsUnavailable(e))
        {
            throw new LarderConfigurationException($"the S3 store at {Endpoint} is unreachable: {e.Message}", e);
        }
    }

    /// <inheritdoc />
    public async Task PutFileAsync(string key, string localPath, CancellationToken cancellationToken)
    {
        BlobKeys.Validate(key);
        ArgumentException.ThrowIfNullOrEmpty(localPath);
        var length = new FileInfo(localPath).Length;
        var partSize = Math.Max(_options.PartSizeMiB * MiB, (length + MaxParts - 1) / MaxParts);
        await Guard(key, async () =>
        {
            if (length <= partSize)
            {
                await _client.PutObjectAsync(new PutObjectRequest
                {
                    BucketName = _bucket,
                    Key = key,
                    FilePath = localPath,
                    ContentType = "application/octet-stream",
                    // The request is signed with the SHA-256 of its body, which the store checks: the SDK's own MD5 of the
                    // body, compared with the ETag afterwards, checks the same bytes again. Signing the body whole rather
                    // than in aws-chunked pieces spares both sides the framing (a 64 MiB NAR to radosgw: about 20% less
                    // server CPU, a quarter less of radosgw's), and stores without aws-chunked support accept it.
                    DisableDefaultChecksumValidation = true,
                    UseChunkEncoding = false,
                }, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await PutMultipartAsync(key, localPath, length, partSize, cancellationToken).ConfigureAwait(false);
            }
            return 0;
        }).ConfigureAwait(false);
        TryDeleteLocal(localPath);
    }

    /// <inheritdoc />
    public async Task PutBytesAsync(string key, ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        BlobKeys.Validate(key);
        var array = MemoryMarshal.TryGetArray(bytes, out var segment) ? segment : new ArraySegment<byte>(bytes.ToArray());
        await Guard(key, async () =>
        {
            using var body = new MemoryStream(array.Array!, array.Offset, array.Count, writable: false);
            await _client.PutObjectAsync(new PutObjectRequest
            {
                BucketName = _bucket,
                Key = key,
                InputStream = body,
                AutoCloseStream = false,
                ContentType = "application/octet-stream",
                // See PutFileAsync.
                DisableDefaultChecksumValidation = true,
                UseChunkEncoding = false,
            }, cancellationToken).ConfigureAwait(false);
            return 0;
        }).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<Stream> OpenReadAsync(string key, long offset, CancellationToken cancellationToken)
    {
        BlobKeys.Validate(key);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        return await Guard(key, async () =>
        {
            var request = new GetObjectRequest { BucketName = _bucket, Key = key };
            if (offset > 0)
            {
                request.ByteRange = new ByteRange($"bytes={offset}-");
            }
            GetObjectResponse response;
            try
            {
                response = await _client.GetObjectAsync(request, cancellationToken).ConfigureAwait(false);
            }
            catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable)
            {
                // The offset is at or past the end: the end itself is a valid, empty read.
                var size = await GetSizeAsync(key, cancellationToken).ConfigureAwait(false) ?? throw new BlobNotFoundException(key);
                return offset == size
                    ? Stream.Null
                    : throw new ArgumentOutOfRangeException(nameof(offset), offset, $"blob '{key}' has only {size} bytes");
            }
            return new S3ReadStream(response, key);
        }).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<Stream> OpenRangeAsync(string key, long offset, long length, CancellationToken cancellationToken)
    {
        BlobKeys.Validate(key);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(length);
        return await Guard(key, async () =>
        {
            // Only the range is sent: a chunk inside a pack costs its own bytes, not the rest of the pack.
            var request = new GetObjectRequest { BucketName = _bucket, Key = key, ByteRange = new ByteRange(offset, offset + length - 1) };
            var response = await _client.GetObjectAsync(request, cancellationToken).ConfigureAwait(false);
            return (Stream)new RangeReadStream(new S3ReadStream(response, key), length);
        }).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<long?> GetSizeAsync(string key, CancellationToken cancellationToken)
    {
        BlobKeys.Validate(key);
        return await Guard(key, async () =>
        {
            try
            {
                var metadata = await _client.GetObjectMetadataAsync(_bucket, key, cancellationToken).ConfigureAwait(false);
                return (long?)metadata.ContentLength;
            }
            catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
            {
                return null;
            }
        }).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task DeleteAsync(string key, CancellationToken cancellationToken)
    {
        BlobKeys.Validate(key);
        await Guard(key, async () =>
        {
            await _client.DeleteObjectAsync(_bucket, key, cancellationToken).ConfigureAwait(false);
            return 0;
        }).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<BlobInfo> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        if (prefix.Length > 0 && !BlobKeys.IsValidPrefix(prefix))
        {
            throw new ArgumentException($"invalid blob key prefix '{prefix}'", nameof(prefix));
        }
        var request = new ListObjectsV2Request { BucketName = _bucket, Prefix = prefix, MaxKeys = ListPageSize };
        while (true)
        {
            var page = await Guard(prefix, () => _client.ListObjectsV2Async(request, cancellationToken)).ConfigureAwait(false);
            foreach (var item in page.S3Objects ?? [])
            {
                yield return new BlobInfo(item.Key, item.Size, new DateTimeOffset(item.LastModified.ToUniversalTime(), TimeSpan.Zero));
            }
            if (!page.IsTruncated || string.IsNullOrEmpty(page.NextContinuationToken))
            {
                yield break;
            }
            request.ContinuationToken = page.NextContinuationToken;
        }
    }

    /// <inheritdoc />
    public Uri? GetDirectDownloadUrl(string key, TimeSpan validFor)
    {
        BlobKeys.Validate(key);
        if (!_options.PresignedDownloads)
        {
            return null;
        }
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(validFor, TimeSpan.Zero);
        var url = _client.GetPreSignedURL(new GetPreSignedUrlRequest
        {
            BucketName = _bucket,
            Key = key,
            Verb = HttpVerb.GET,
            Expires = DateTime.UtcNow + validFor,
            Protocol = _httpEndpoint ? Protocol.HTTP : Protocol.HTTPS,
        });
        return new Uri(url);
    }

    /// <inheritdoc />
    public void Dispose() => _client.Dispose();

    private string Endpoint => _options.ServiceUrl ?? $"AWS S3 ({_options.Region})";

    private static AWSCredentials ResolveCredentials(S3StorageOptions options)
    {
        var access = string.IsNullOrWhiteSpace(options.AccessKey) ? Environment.GetEnvironmentVariable("AWS_ACCESS_KEY_ID") : options.AccessKey;
        var secret = string.IsNullOrWhiteSpace(options.SecretKey) ? Environment.GetEnvironmentVariable("AWS_SECRET_ACCESS_KEY") : options.SecretKey;
        if (string.IsNullOrWhiteSpace(access) || string.IsNullOrWhiteSpace(secret))
        {
            throw new LarderConfigurationException(
                "S3 credentials are missing: set Larder:Storage:S3:AccessKey and SecretKey, or the AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY environment variables");
        }
        return new BasicAWSCredentials(access, secret);
    }

    private async Task<bool> BucketExistsAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = _bucket, MaxKeys = 1 }, cancellationToken)
                .ConfigureAwait(false);
            return true;
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound || e.ErrorCode == "NoSuchBucket")
        {
            return false;
        }
    }

    private static void TryDeleteLocal(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
