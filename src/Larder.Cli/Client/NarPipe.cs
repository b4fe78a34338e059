using System.IO.Pipelines;
using Larder.Cli.LocalStore;

namespace Larder.Cli.Client;

/// <summary>
/// A path's (verified, possibly compressed) NAR as a readable stream: <see cref="NarSource"/> writes into a pipe on a
/// background task. A failure of the writer (e.g. a hash mismatch) surfaces as an exception from <see cref="Stream.ReadAsync(Memory{byte}, CancellationToken)"/>.
/// </summary>
internal sealed class NarPipe : IAsyncDisposable
{
    private readonly CancellationTokenSource _cancel;
    private readonly Task _producer;
    private readonly Pipe _pipe = new(new PipeOptions(pauseWriterThreshold: 1 << 20, resumeWriterThreshold: 1 << 19));

    public NarPipe(LocalPathInfo info, string compression, CancellationToken cancellationToken)
    {
        _cancel = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Reader = _pipe.Reader.AsStream();
        _producer = Task.Run(async () =>
        {
            try
            {
                await NarSource.WriteAsync(info, compression, _pipe.Writer.AsStream(leaveOpen: true), null, _cancel.Token).ConfigureAwait(false);
                await _pipe.Writer.CompleteAsync().ConfigureAwait(false);
            }
            catch (Exception e)
            {
                await _pipe.Writer.CompleteAsync(e).ConfigureAwait(false);
            }
        }, CancellationToken.None);
    }

    /// <summary>The NAR bytes.</summary>
    public Stream Reader { get; }

    /// <summary>Reads and discards <paramref name="count"/> bytes (to resume after what the server already holds).</summary>
    public async Task SkipAsync(long count, CancellationToken cancellationToken)
    {
        var buffer = new byte[1 << 16];
        while (count > 0)
        {
            var read = await Reader.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, count)), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                throw new InvalidOperationException("the NAR is shorter than the part the server already holds");
            }
            count -= read;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _cancel.CancelAsync().ConfigureAwait(false);
        await _pipe.Reader.CompleteAsync().ConfigureAwait(false);
        try
        {
            await _producer.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
        _cancel.Dispose();
    }
}
