using System.Threading.Channels;
using Larder.Contracts.Chunks;
using Larder.Contracts.Push;

namespace Larder.Cli.Client;

/// <summary>
/// One chunked path's commit sent while its NAR is still read (<c>POST chunked-paths/stream</c>): the request starts at
/// once, <see cref="Announce"/> sends each run of chunks the server holds (in NAR order) for it to re-derive meanwhile,
/// and <see cref="FinishAsync"/> sends the path's metadata, which ends the body, and waits for the answer.
/// <see cref="Abort"/> breaks the body off, so nothing is published.
/// </summary>
internal sealed class StreamedCommit
{
    private readonly Channel<ChunkedPathRequest> _lines =
        Channel.CreateUnbounded<ChunkedPathRequest>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task<PushResult> _answer;

    public StreamedCommit(LarderClient client, string cache, string storePath, CancellationToken cancellationToken)
    {
        _answer = client.SendStreamedCommitAsync(cache, storePath, new StreamedCommitContent(_lines.Reader), cancellationToken);
    }

    /// <summary>Sends the next chunks of the NAR, which the server holds.</summary>
    public void Announce(IReadOnlyList<string> chunks) => _lines.Writer.TryWrite(new ChunkedPathRequest(null, chunks));

    /// <summary>Ends the body with the path's metadata; the server's answer (a 400 is an <see cref="ApiException"/>).</summary>
    public Task<PushResult> FinishAsync(PushPathMetadata path)
    {
        _lines.Writer.TryWrite(new ChunkedPathRequest(path, []));
        _lines.Writer.TryComplete();
        return _answer;
    }

    /// <summary>Breaks the body off (the server publishes nothing) and forgets the answer.</summary>
    public void Abort()
    {
        _lines.Writer.TryComplete(new OperationCanceledException("the streamed commit was abandoned"));
        _ = _answer.ContinueWith(static t => t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
    }
}
