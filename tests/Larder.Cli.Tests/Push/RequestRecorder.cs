using System.Collections.Concurrent;
using System.Net.Http.Json;
using Larder.Contracts.Chunks;

namespace Larder.Cli.Tests.Push;

/// <summary>
/// Passes the client's requests on to the real server unchanged, noting the chunk requests it sees, and runs
/// <see cref="BeforeFirstCommit"/> just before the first chunked-path commit reaches the server.
/// </summary>
internal sealed class RequestRecorder() : DelegatingHandler(new SocketsHttpHandler())
{
    private readonly ConcurrentQueue<int> _missingRequests = new();
    private int _commits;

    /// <summary>Run once, before the first commit is sent.</summary>
    public Action? BeforeFirstCommit { get; set; }

    /// <summary>How many hashes each <c>chunks/missing</c> request named.</summary>
    public IReadOnlyCollection<int> MissingRequests => [.. _missingRequests];

    /// <summary>Chunked-path commits sent.</summary>
    public int Commits => _commits;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var path = request.RequestUri!.AbsolutePath;
        if (request.Method == HttpMethod.Post && path.EndsWith("/chunks/missing", StringComparison.Ordinal))
        {
            await request.Content!.LoadIntoBufferAsync(cancellationToken);
            var asked = await request.Content.ReadFromJsonAsync(ChunkJsonContext.Default.MissingChunksRequest, cancellationToken);
            _missingRequests.Enqueue(asked!.Chunks.Count);
        }
        if (request.Method == HttpMethod.Post && path.EndsWith("/chunked-paths", StringComparison.Ordinal)
            && Interlocked.Increment(ref _commits) == 1)
        {
            BeforeFirstCommit?.Invoke();
        }
        return await base.SendAsync(request, cancellationToken);
    }
}
