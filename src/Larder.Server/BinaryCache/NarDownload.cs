using System.IO.Pipelines;
using Larder.Server.Metadata;
using Larder.Server.Storage;
using Larder.Server.Storage.Inline;
using Larder.Server.Storage.Packs;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace Larder.Server.BinaryCache;

/// <summary>
/// Sends a stored NAR's file form (its chunks' stored bytes, concatenated) for GET/HEAD, honouring a single
/// <c>Range</c>; redirects to the object store when it offers a direct URL for a single-chunk NAR.
/// </summary>
internal sealed class NarDownload(IBlobStore blobs)
{
    private const int BufferSize = 1 << 20;
    private static readonly TimeSpan RedirectValidity = TimeSpan.FromMinutes(15);

    /// <summary>Whether every byte of <paramref name="nar"/> is in memory (inline blobs held by the blob store's cache).</summary>
    public bool IsInMemory(NarRecord nar)
    {
        if (blobs is not InlineBlobStore inline)
        {
            return false;
        }
        foreach (var chunk in nar.Chunks)
        {
            if (!inline.IsInMemory(chunk.BlobKey))
            {
                return false;
            }
        }
        return true;
    }

    public async Task SendAsync(HttpContext http, bool isPublicCache, NarRecord nar, CancellationToken cancellationToken)
    {
        var response = http.Response;
        if (nar.Chunks is [{ PackKey: null } only] && blobs.GetDirectDownloadUrl(only.StorageKey, RedirectValidity) is { } direct)
        {
            CacheHeaders.None(response);
            response.StatusCode = StatusCodes.Status302Found;
            response.Headers[HeaderNames.Location] = direct.AbsoluteUri;
            return;
        }

        long total = 0;
        foreach (var chunk in nar.Chunks)
        {
            total += chunk.StoredSize;
        }
        response.Headers[HeaderNames.AcceptRanges] = "bytes";
        response.Headers[HeaderNames.ETag] = $"\"{NarInfoText.BareHash(nar.FileHash)}\"";
        if (!ByteRange.TryResolve(http.Request.Headers[HeaderNames.Range], total, out var range, out _))
        {
            CacheHeaders.None(response);
            response.StatusCode = StatusCodes.Status416RangeNotSatisfiable;
            response.Headers[HeaderNames.ContentRange] = $"bytes */{total}";
            return;
        }
        var (from, length) = range is { } r ? (r.From, r.Length) : (0L, total);
        CacheHeaders.Immutable(response, isPublicCache);
        response.ContentType = "application/x-nix-nar";
        response.ContentLength = length;
        if (range is { } partial)
        {
            response.StatusCode = StatusCodes.Status206PartialContent;
            response.Headers[HeaderNames.ContentRange] = $"bytes {partial.From}-{partial.To}/{total}";
        }
        if (HttpMethods.IsHead(http.Request.Method) || length == 0)
        {
            return;
        }
        await CopyChunksAsync(response.BodyWriter, nar.Chunks, from, length, cancellationToken).ConfigureAwait(false);
    }

    private async Task CopyChunksAsync(PipeWriter output, IReadOnlyList<ChunkRecord> chunks, long from, long length, CancellationToken cancellationToken)
    {
        foreach (var span in BlobSpans.Cover(chunks, from, length))
        {
            var input = await blobs.OpenSpanAsync(span, "the NAR's data", cancellationToken).ConfigureAwait(false);
            await using (input.ConfigureAwait(false))
            {
                await CopyExactlyAsync(input, output, span.Length, span.Key, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Reads straight into the response pipe's buffers: one copy less than going through a buffer of our own.</summary>
    private static async Task CopyExactlyAsync(Stream input, PipeWriter output, long count, string key, CancellationToken cancellationToken)
    {
        while (count > 0)
        {
            var memory = output.GetMemory((int)Math.Min(BufferSize, count));
            memory = memory[..(int)Math.Min(memory.Length, count)];
            // On Linux a file's ReadAsync is the same blocking read done on another thread-pool thread: reading a local
            // blob here saves that hop per read (for a small NAR, its only read), as a static file server reads.
            int read = input is FileStream or RangeReadStream { ReadsLocalFile: true }
                ? input.Read(memory.Span)
                : await input.ReadAsync(memory, cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                // The headers promised more: failing aborts the connection, so the client sees a truncated transfer.
                throw new IOException($"blob '{key}' is shorter than its recorded size");
            }
            output.Advance(read);
            count -= read;
            var flushed = await output.FlushAsync(cancellationToken).ConfigureAwait(false);
            if (flushed.IsCanceled || flushed.IsCompleted)
            {
                throw new OperationCanceledException("the client went away");
            }
        }
    }
}
