using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace Larder.Server.Tests.Api.StreamedCommit;

/// <summary>
/// A <c>chunked-paths/stream</c> body written line by line, each flushed (chunked); with <c>breakOff</c> the body
/// fails after its lines instead of ending, as a client that dies mid-push does. <c>beforeLastLine</c> runs while the
/// body is open, before its last line is sent.
/// </summary>
internal sealed class StreamedCommitBody : HttpContent
{
    private readonly IReadOnlyList<string> _lines;
    private readonly bool _breakOff;
    private readonly Func<Task>? _beforeLastLine;

    public StreamedCommitBody(IReadOnlyList<string> lines, bool breakOff = false, Func<Task>? beforeLastLine = null)
    {
        _lines = lines;
        _breakOff = breakOff;
        _beforeLastLine = beforeLastLine;
        Headers.ContentType = new MediaTypeHeaderValue("application/x-ndjson");
    }

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
    {
        for (var i = 0; i < _lines.Count; i++)
        {
            if (i == _lines.Count - 1 && _beforeLastLine is not null)
            {
                await _beforeLastLine();
            }
            var line = _lines[i];
            await stream.WriteAsync(Encoding.UTF8.GetBytes(line + "\n"));
            await stream.FlushAsync();
        }
        if (_breakOff)
        {
            throw new IOException("the client died");
        }
    }

    protected override bool TryComputeLength(out long length)
    {
        length = 0;
        return false;
    }
}
