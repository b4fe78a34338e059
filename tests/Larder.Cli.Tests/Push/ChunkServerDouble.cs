using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using Larder.Contracts;
using Larder.Contracts.Chunks;
using Larder.Contracts.Push;
using Larder.Nix.Compression;
using Larder.Nix.Hashing;

namespace Larder.Cli.Tests.Push;

/// <summary>
/// The chunk endpoints of the contract in <c>Larder.Contracts.Chunks</c>, in memory, for the client's logic: it
/// decompresses and verifies every chunk, counts what it received, answers 400 to a commit naming a chunk it lacks,
/// and can lose chunks on purpose (as garbage collection between the missing query and the commit would).
/// </summary>
internal sealed class ChunkServerDouble : HttpMessageHandler
{
    private readonly ConcurrentDictionary<string, int> _chunks = new(StringComparer.Ordinal);
    private long _receivedBytes;
    private int _uploads;
    private int _commits;
    private readonly ConcurrentQueue<int> _missingRequests = new();

    /// <summary>Chunks to forget just before the first commit.</summary>
    public HashSet<string> LoseBeforeFirstCommit { get; } = new(StringComparer.Ordinal);

    /// <summary>Uncompressed bytes of all chunk uploads (repeats included).</summary>
    public long ReceivedBytes => Interlocked.Read(ref _receivedBytes);

    public int Uploads => _uploads;

    public int Commits => _commits;

    /// <summary>How many hashes each <c>chunks/missing</c> request named, in order.</summary>
    public IReadOnlyCollection<int> MissingRequests => [.. _missingRequests];

    public IReadOnlyCollection<string> Held => [.. _chunks.Keys];

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var path = request.RequestUri!.AbsolutePath;
        if (request.Method == HttpMethod.Post && path.EndsWith("/chunks/missing", StringComparison.Ordinal))
        {
            var asked = (await request.Content!.ReadFromJsonAsync(ChunkJsonContext.Default.MissingChunksRequest, cancellationToken))!;
            _missingRequests.Enqueue(asked.Chunks.Count);
            var missing = asked.Chunks.Where(h => !_chunks.ContainsKey(h)).Distinct().ToList();
            return Json(HttpStatusCode.OK, JsonContent.Create(new MissingChunksResponse(missing), ChunkJsonContext.Default.MissingChunksResponse));
        }
        if (request.Method == HttpMethod.Put && path.Contains("/chunks/", StringComparison.Ordinal))
        {
            var hash = "sha256:" + path[(path.LastIndexOf('/') + 1)..];
            Assert.Contains("zstd", request.Content!.Headers.ContentEncoding);
            var plain = new MemoryStream();
            await using (var decompress = Codecs.Decompress(await request.Content.ReadAsStreamAsync(cancellationToken), CompressionKind.Zstd, leaveOpen: false))
            {
                await decompress.CopyToAsync(plain, cancellationToken);
            }
            if (NixHash.Parse(hash) != new NixHash(HashKind.Sha256, SHA256.HashData(plain.ToArray())))
            {
                return Error(HttpStatusCode.BadRequest, $"chunk {hash} does not match its bytes");
            }
            Interlocked.Increment(ref _uploads);
            Interlocked.Add(ref _receivedBytes, plain.Length);
            var stored = _chunks.TryAdd(hash, (int)plain.Length);
            return Json(stored ? HttpStatusCode.Created : HttpStatusCode.OK,
                JsonContent.Create(new ChunkUploadResult(hash, plain.Length, stored), ChunkJsonContext.Default.ChunkUploadResult));
        }
        if (request.Method == HttpMethod.Post && path.EndsWith("/chunked-paths", StringComparison.Ordinal))
        {
            var commit = (await request.Content!.ReadFromJsonAsync(ChunkJsonContext.Default.ChunkedPathRequest, cancellationToken))!;
            if (Interlocked.Increment(ref _commits) == 1)
            {
                foreach (var lost in LoseBeforeFirstCommit)
                {
                    _chunks.TryRemove(lost, out _);
                }
            }
            if (commit.Chunks.FirstOrDefault(h => !_chunks.ContainsKey(h)) is { } absent)
            {
                return Error(HttpStatusCode.BadRequest, $"chunk {absent} is not on the server");
            }
            var size = commit.Chunks.Sum(h => (long)_chunks[h]);
            return Json(HttpStatusCode.OK, JsonContent.Create(
                new PushResult(commit.Path.StorePath, PushResult.Committed, commit.Path.NarHash, size), ChunkJsonContext.Default.PushResult));
        }
        return Error(HttpStatusCode.NotFound, $"no route {request.Method} {path}");
    }

    private static HttpResponseMessage Json(HttpStatusCode status, HttpContent content) => new(status) { Content = content };

    private static HttpResponseMessage Error(HttpStatusCode status, string message) =>
        new(status) { Content = JsonContent.Create(new ErrorDto(message, "badRequest"), LarderJsonContext.Default.ErrorDto) };
}
