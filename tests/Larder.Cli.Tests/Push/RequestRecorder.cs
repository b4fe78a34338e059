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
    private int _streamedCommits;

    /// <summary>Run once, before the first commit is sent.</summary>
    public Action? BeforeFirstCommit { get; set; }

    /// <summary>How many hashes each <c>chunks/missing</c> request named.</summary>
    public IReadOnlyCollection<int> MissingRequests => [.. _missingRequests];

    /// <summary>Answer streamed commits 504 without passing them on, as a proxy that timed their body out does.</summary>
    public bool TimeOutStreamedCommits { get; set; }

    /// <summary>Chunked-path commits sent with the whole chunk list (<c>chunked-paths</c>).</summary>
    public int Commits => _commits;

    /// <summary>Chunked-path commits streamed while the NAR was read (<c>chunked-paths/stream</c>).</summary>
    public int StreamedCommits => _streamedCommits;

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
        if (request.Method == HttpMethod.Post && path.EndsWith("/chunked-paths/stream", StringComparison.Ordinal))
        {
            Interlocked.Increment(ref _streamedCommits);
            if (TimeOutStreamedCommits)
            {
                return new HttpResponseMessage(System.Net.HttpStatusCode.GatewayTimeout) { RequestMessage = request };
            }
        }
        return await base.SendAsync(request, cancellationToken);
    }
}
