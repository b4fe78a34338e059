using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Larder.Server.Storage.S3;
using Larder.Testing;

namespace Larder.Server.Tests.ScaleOut;

/// <summary>A uniquely named bucket on the test object store (<c>LARDER_TEST_S3_*</c>), emptied and deleted on dispose.</summary>
public sealed class S3TestBucket : IAsyncDisposable
{
    private readonly AmazonS3Client _client;

    private S3TestBucket(S3Endpoint endpoint, string name, AmazonS3Client client)
    {
        Endpoint = endpoint;
        Name = name;
        _client = client;
    }

    public S3Endpoint Endpoint { get; }

    public string Name { get; }

    /// <summary>A client on the bucket's store, for looking behind the blob store's back.</summary>
    public IAmazonS3 Client => _client;

    /// <summary>A new bucket (or, with <paramref name="create"/> false, only a fresh unused name).</summary>
    public static async Task<S3TestBucket> CreateAsync(bool create = true)
    {
        var endpoint = TestServices.S3;
        var client = NewClient(endpoint);
        var name = $"larder-test-{Guid.NewGuid():N}"[..32];
        if (create)
        {
            await client.PutBucketAsync(new PutBucketRequest { BucketName = name });
        }
        return new S3TestBucket(endpoint, name, client);
    }

    /// <summary>Options for an <see cref="S3BlobStore"/> on this bucket, optionally through another endpoint URL (a fault proxy).</summary>
    public S3StorageOptions Options(string? serviceUrl = null) => new()
    {
        ServiceUrl = serviceUrl ?? Endpoint.ServiceUrl,
        Bucket = Name,
        AccessKey = Endpoint.AccessKey,
        SecretKey = Endpoint.SecretKey,
    };

    /// <summary>The <c>Larder:Storage:*</c> command-line switches for a server on this bucket.</summary>
    public IEnumerable<string> ServerArgs() =>
    [
        "--Larder:Storage:Kind=s3",
        $"--Larder:Storage:S3:ServiceUrl={Endpoint.ServiceUrl}",
        $"--Larder:Storage:S3:Bucket={Name}",
        $"--Larder:Storage:S3:AccessKey={Endpoint.AccessKey}",
        $"--Larder:Storage:S3:SecretKey={Endpoint.SecretKey}",
    ];

    /// <summary>Keys of the objects in the bucket, and how many multipart uploads are still open.</summary>
    public async Task<(IReadOnlyList<string> Keys, int OpenUploads)> InspectAsync()
    {
        var keys = new List<string>();
        var request = new ListObjectsV2Request { BucketName = Name };
        ListObjectsV2Response page;
        do
        {
            page = await _client.ListObjectsV2Async(request);
            keys.AddRange((page.S3Objects ?? []).Select(o => o.Key));
            request.ContinuationToken = page.NextContinuationToken;
        }
        while (page.IsTruncated);
        var uploads = await _client.ListMultipartUploadsAsync(new ListMultipartUploadsRequest { BucketName = Name });
        return (keys, uploads.MultipartUploads?.Count ?? 0);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            var uploads = await _client.ListMultipartUploadsAsync(new ListMultipartUploadsRequest { BucketName = Name });
            foreach (var upload in uploads.MultipartUploads ?? [])
            {
                await _client.AbortMultipartUploadAsync(Name, upload.Key, upload.UploadId);
            }
            foreach (var key in (await InspectAsync()).Keys)
            {
                await _client.DeleteObjectAsync(Name, key);
            }
            await _client.DeleteBucketAsync(Name);
        }
        catch (AmazonS3Exception e) when (e.ErrorCode == "NoSuchBucket")
        {
        }
        _client.Dispose();
    }

    private static AmazonS3Client NewClient(S3Endpoint endpoint) => new(
        new BasicAWSCredentials(endpoint.AccessKey, endpoint.SecretKey),
        new AmazonS3Config { ServiceURL = endpoint.ServiceUrl, ForcePathStyle = true, AuthenticationRegion = "us-east-1" });
}
