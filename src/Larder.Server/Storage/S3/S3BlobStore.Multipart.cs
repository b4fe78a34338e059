using System.Net;
using System.Net.Sockets;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Larder.Server.Errors;

namespace Larder.Server.Storage.S3;

public sealed partial class S3BlobStore
{
    /// <summary>
    /// Uploads <paramref name="localPath"/> in parts read straight from the file (never buffered whole), several at
    /// once. Any failure aborts the upload, so the key never shows a partial object.
    /// </summary>
    private async Task PutMultipartAsync(string key, string localPath, long length, long partSize, CancellationToken cancellationToken)
    {
        var initiated = await _client.InitiateMultipartUploadAsync(new InitiateMultipartUploadRequest
        {
            BucketName = _bucket,
            Key = key,
            ContentType = "application/octet-stream",
        }, cancellationToken).ConfigureAwait(false);
        var uploadId = initiated.UploadId;
        try
        {
            var partCount = (int)((length + partSize - 1) / partSize);
            var etags = new PartETag[partCount];
            var parallel = new ParallelOptions { MaxDegreeOfParallelism = _options.UploadConcurrency, CancellationToken = cancellationToken };
            await Parallel.ForEachAsync(Enumerable.Range(0, partCount), parallel, async (index, token) =>
            {
                var position = index * partSize;
                var response = await _client.UploadPartAsync(new UploadPartRequest
                {
                    BucketName = _bucket,
                    Key = key,
                    UploadId = uploadId,
                    PartNumber = index + 1,
                    FilePath = localPath,
                    FilePosition = position,
                    PartSize = Math.Min(partSize, length - position),
                    IsLastPart = index == partCount - 1,
                    // See PutFileAsync.
                    DisableDefaultChecksumValidation = true,
                    UseChunkEncoding = false,
                }, token).ConfigureAwait(false);
                etags[index] = new PartETag(index + 1, response.ETag);
            }).ConfigureAwait(false);
            await _client.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest
            {
                BucketName = _bucket,
                Key = key,
                UploadId = uploadId,
                PartETags = [.. etags],
            }, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await TryAbortAsync(key, uploadId).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Aborts the multipart uploads started more than <paramref name="olderThan"/> ago and never completed (a replica
    /// died mid-put, or its abort failed); their parts take space but no key shows them. Returns how many.
    /// </summary>
    public async Task<int> RemoveInterruptedWritesAsync(TimeSpan olderThan, CancellationToken cancellationToken)
    {
        var cutoff = DateTime.UtcNow - olderThan;
        var request = new ListMultipartUploadsRequest { BucketName = _bucket };
        var aborted = 0;
        while (true)
        {
            var page = await Guard(_bucket, () => _client.ListMultipartUploadsAsync(request, cancellationToken)).ConfigureAwait(false);
            foreach (var upload in page.MultipartUploads ?? [])
            {
                if (upload.Initiated.ToUniversalTime() < cutoff && await AbortAsync(upload, cancellationToken).ConfigureAwait(false))
                {
                    aborted++;
                }
            }
            if (!page.IsTruncated)
            {
                return aborted;
            }
            request.KeyMarker = page.NextKeyMarker;
            request.UploadIdMarker = page.NextUploadIdMarker;
        }
    }

    // False when another replica aborted or completed it first.
    private async Task<bool> AbortAsync(MultipartUpload upload, CancellationToken cancellationToken)
    {
        try
        {
            await Guard(upload.Key, () => _client.AbortMultipartUploadAsync(
                new AbortMultipartUploadRequest { BucketName = _bucket, Key = upload.Key, UploadId = upload.UploadId }, cancellationToken))
                .ConfigureAwait(false);
            return true;
        }
        catch (AmazonS3Exception e) when (e.ErrorCode == "NoSuchUpload")
        {
            return false;
        }
    }

    private async Task TryAbortAsync(string key, string uploadId)
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await _client.AbortMultipartUploadAsync(new AbortMultipartUploadRequest { BucketName = _bucket, Key = key, UploadId = uploadId }, timeout.Token)
                .ConfigureAwait(false);
        }
        catch (Exception e) when (e is AmazonServiceException or AmazonClientException or HttpRequestException or IOException or OperationCanceledException)
        {
            // The store is unreachable: the parts stay invisible (no object exists under the key) until a bucket
            // lifecycle rule for incomplete multipart uploads removes them.
        }
    }

    /// <summary>Runs one S3 operation, turning "no such key" into <see cref="BlobNotFoundException"/> and an unreachable store into a 503.</summary>
    private async Task<T> Guard<T>(string key, Func<Task<T>> operation)
    {
        try
        {
            return await operation().ConfigureAwait(false);
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound && e.ErrorCode == "NoSuchKey")
        {
            throw new BlobNotFoundException(key);
        }
        catch (AmazonS3Exception e) when (e.ErrorCode == "NoSuchBucket")
        {
            throw new LarderException(ErrorKind.Unavailable, $"the S3 bucket '{_bucket}' does not exist at {Endpoint}", e);
        }
        catch (Exception e) when (IsUnavailable(e))
        {
            throw new LarderException(ErrorKind.Unavailable, $"the object store at {Endpoint} is unavailable ('{key}'): {Innermost(e).Message}", e);
        }
    }

    /// <summary>Whether <paramref name="e"/> means the store could not be reached or failed on its side (after the SDK's retries).</summary>
    private static bool IsUnavailable(Exception e) => e switch
    {
        AmazonServiceException { StatusCode: >= HttpStatusCode.InternalServerError } => true,
        AmazonServiceException service => service.InnerException is not null && IsUnavailable(service.InnerException),
        AmazonClientException => true,
        HttpRequestException or SocketException or IOException => true,
        TaskCanceledException { InnerException: TimeoutException } => true,
        // The SDK reports a request that outlived RequestTimeout (a store that accepts but never answers) this way.
        TimeoutException => true,
        _ => false,
    };

    private static Exception Innermost(Exception e)
    {
        while (e.InnerException is not null)
        {
            e = e.InnerException;
        }
        return e;
    }
}
