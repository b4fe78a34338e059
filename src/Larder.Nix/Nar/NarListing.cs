using System.Buffers;
using System.Globalization;

namespace Larder.Nix.Nar;

/// <summary>
/// Builds the <c>.ls</c> listing Nix writes next to a NAR (<c>write-nar-listing=true</c>) while the NAR is parsed:
/// <c>{"version":1,"root":NODE}</c> where a regular file is <c>{"type":"regular","size":N[,"executable":true],"narOffset":O}</c>,
/// a symlink <c>{"type":"symlink","target":T}</c> and a directory <c>{"type":"directory","entries":{NAME:NODE,...}}</c>,
/// compact, in archive order, strings escaped as Nix 2.8 does (<c>\"</c>, <c>\\</c>, <c>\n</c>, <c>\r</c>, <c>\t</c>,
/// other control bytes as <c>\u00XX</c>, everything else raw UTF-8). Events can be forwarded to an inner visitor, so one
/// parse can list and, say, restore.
/// </summary>
public sealed class NarListing(INarVisitor? inner = null) : INarVisitor
{
    private readonly ArrayBufferWriter<byte> _json = new();
    private readonly Stack<bool> _hasEntries = new();
    private bool _complete;

    /// <summary>The listing as UTF-8 JSON bytes; only valid once the whole archive was parsed.</summary>
    public ReadOnlyMemory<byte> Utf8Json =>
        _complete ? _json.WrittenMemory : throw new InvalidOperationException("the NAR has not been parsed completely");

    /// <summary>The listing as a string; only valid once the whole archive was parsed.</summary>
    public string ToJson() => System.Text.Encoding.UTF8.GetString(Utf8Json.Span);

    public async ValueTask DirectoryStartAsync(NarNode node, CancellationToken cancellationToken)
    {
        WriteKey(node);
        Write("{\"type\":\"directory\",\"entries\":{"u8);
        _hasEntries.Push(false);
        if (inner is not null)
        {
            await inner.DirectoryStartAsync(node, cancellationToken).ConfigureAwait(false);
        }
    }

    public async ValueTask DirectoryEndAsync(NarNode node, CancellationToken cancellationToken)
    {
        _hasEntries.Pop();
        Write("}}"u8);
        Finish(node);
        if (inner is not null)
        {
            await inner.DirectoryEndAsync(node, cancellationToken).ConfigureAwait(false);
        }
    }

    public async ValueTask FileAsync(NarNode node, NarFile file, CancellationToken cancellationToken)
    {
        WriteKey(node);
        Write("{\"type\":\"regular\",\"size\":"u8);
        WriteNumber(file.Size);
        if (file.Executable)
        {
            Write(",\"executable\":true"u8);
        }
        if (file.ContentsOffset != 0)
        {
            Write(",\"narOffset\":"u8);
            WriteNumber(file.ContentsOffset);
        }
        Write("}"u8);
        Finish(node);
        if (inner is not null)
        {
            await inner.FileAsync(node, file, cancellationToken).ConfigureAwait(false);
        }
    }

    public async ValueTask SymlinkAsync(NarNode node, string target, CancellationToken cancellationToken)
    {
        WriteKey(node);
        Write("{\"type\":\"symlink\",\"target\":"u8);
        WriteString(target);
        Write("}"u8);
        Finish(node);
        if (inner is not null)
        {
            await inner.SymlinkAsync(node, target, cancellationToken).ConfigureAwait(false);
        }
    }

    private void WriteKey(NarNode node)
    {
        if (node.IsRoot)
        {
            Write("{\"version\":1,\"root\":"u8);
            return;
        }
        if (_hasEntries.Pop())
        {
            Write(","u8);
        }
        _hasEntries.Push(true);
        WriteString(node.Name);
        Write(":"u8);
    }

    private void Finish(NarNode node)
    {
        if (node.IsRoot)
        {
            Write("}"u8);
            _complete = true;
        }
    }

    private void Write(ReadOnlySpan<byte> bytes) => _json.Write(bytes);

    private void WriteNumber(long value)
    {
        var span = _json.GetSpan(20);
        value.TryFormat(span, out var written, default, CultureInfo.InvariantCulture);
        _json.Advance(written);
    }

    private void WriteString(string value)
    {
        var utf8 = System.Text.Encoding.UTF8.GetBytes(value);
        Write("\""u8);
        var rest = utf8.AsSpan();
        while (!rest.IsEmpty)
        {
            var special = rest.IndexOfAnyInRange((byte)0, (byte)31);
            var quote = rest.IndexOfAny((byte)'"', (byte)'\\');
            var next = special < 0 ? quote : quote < 0 ? special : Math.Min(special, quote);
            if (next < 0)
            {
                Write(rest);
                break;
            }
            Write(rest[..next]);
            WriteEscaped(rest[next]);
            rest = rest[(next + 1)..];
        }
        Write("\""u8);
    }

    private void WriteEscaped(byte b)
    {
        switch (b)
        {
            case (byte)'"': Write("\\\""u8); break;
            case (byte)'\\': Write("\\\\"u8); break;
            case (byte)'\n': Write("\\n"u8); break;
            case (byte)'\r': Write("\\r"u8); break;
            case (byte)'\t': Write("\\t"u8); break;
            default:
                Write("\\u00"u8);
                Write([(byte)"0123456789abcdef"[b >> 4], (byte)"0123456789abcdef"[b & 15]]);
                break;
        }
    }
}
