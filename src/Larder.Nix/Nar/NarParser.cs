using System.Text;
using Larder.Nix.Hashing;

namespace Larder.Nix.Nar;

/// <summary>
/// Streaming, validating NAR parser: reads an archive once, reports its nodes to an <see cref="INarVisitor"/> and
/// returns its SHA-256 and size. It accepts exactly the canonical form <c>nix-store --dump</c> writes (see
/// <see cref="NarTokens"/>) and rejects anything else with a <see cref="NarFormatException"/>: bad magic, unknown or
/// misplaced keywords, non-zero padding, truncation, trailing data, over-long strings, entry names that are empty,
/// <c>.</c>, <c>..</c>, contain <c>/</c> or NUL, or are not valid UTF-8, and entries that are unsorted or duplicated.
/// Nesting depth is unbounded: the parser keeps its own stack, never the call stack.
/// </summary>
public static class NarParser
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Parses the whole of <paramref name="input"/> (which must end where the archive ends).</summary>
    public static async Task<NarHashResult> ParseAsync(Stream input, INarVisitor visitor, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(visitor);
        using var reader = new NarReader(input);

        var magicOffset = reader.Offset;
        var magic = await reader.ReadStringAsync(NarTokens.MaxTokenLength, "magic", cancellationToken).ConfigureAwait(false);
        if (!magic.Span.SequenceEqual(NarTokens.Magic))
        {
            NarReader.Fail(magicOffset, $"bad magic {NarReader.Describe(magic.Span)}: not a NAR archive (expected 'nix-archive-1')");
        }

        var directories = new Stack<DirectoryFrame>();
        var node = new NarNode("", "", 0, reader.Offset);
        while (true)
        {
            // A node starts here; a directory pushes a frame and its entries follow.
            var isDirectory = await ParseNodeAsync(reader, node, visitor, cancellationToken).ConfigureAwait(false);
            if (isDirectory)
            {
                directories.Push(new DirectoryFrame(node));
            }
            else if (directories.Count == 0)
            {
                break;
            }
            else
            {
                await reader.ExpectAsync(NarTokens.Close, cancellationToken).ConfigureAwait(false);
            }

            // Read entries until one starts a new node, closing finished directories on the way up.
            NarNode? next = null;
            while (next is null && directories.Count > 0)
            {
                var frame = directories.Peek();
                var tokenOffset = reader.Offset;
                var token = await reader.ReadStringAsync(NarTokens.MaxTokenLength, "keyword", cancellationToken).ConfigureAwait(false);
                if (token.Span.SequenceEqual(NarTokens.Close))
                {
                    directories.Pop();
                    await visitor.DirectoryEndAsync(frame.Node, cancellationToken).ConfigureAwait(false);
                    if (directories.Count > 0)
                    {
                        await reader.ExpectAsync(NarTokens.Close, cancellationToken).ConfigureAwait(false);
                    }
                }
                else if (token.Span.SequenceEqual(NarTokens.Entry))
                {
                    next = await ParseEntryHeaderAsync(reader, frame, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    NarReader.Fail(tokenOffset, $"expected 'entry' or ')' in directory, found {NarReader.Describe(token.Span)}");
                }
            }
            if (next is null)
            {
                break;
            }
            node = next.Value;
        }

        await reader.ExpectEndAsync(cancellationToken).ConfigureAwait(false);
        return new NarHashResult(reader.GetHash(), reader.BytesRead);
    }

    /// <summary>Parses a node up to its closing <c>)</c>, or for a directory up to its first entry.</summary>
    private static async ValueTask<bool> ParseNodeAsync(NarReader reader, NarNode node, INarVisitor visitor, CancellationToken cancellationToken)
    {
        await reader.ExpectAsync(NarTokens.Open, cancellationToken).ConfigureAwait(false);
        await reader.ExpectAsync(NarTokens.Type, cancellationToken).ConfigureAwait(false);
        var typeOffset = reader.Offset;
        var type = await reader.ReadStringAsync(NarTokens.MaxTokenLength, "node type", cancellationToken).ConfigureAwait(false);
        if (type.Span.SequenceEqual(NarTokens.Directory))
        {
            await visitor.DirectoryStartAsync(node, cancellationToken).ConfigureAwait(false);
            return true;
        }
        if (type.Span.SequenceEqual(NarTokens.Regular))
        {
            await ParseRegularAsync(reader, node, visitor, cancellationToken).ConfigureAwait(false);
        }
        else if (type.Span.SequenceEqual(NarTokens.Symlink))
        {
            await reader.ExpectAsync(NarTokens.Target, cancellationToken).ConfigureAwait(false);
            var targetOffset = reader.Offset;
            var targetBytes = await reader.ReadStringAsync(NarTokens.MaxTargetLength, "symlink target", cancellationToken).ConfigureAwait(false);
            var target = DecodeTarget(targetBytes.Span, targetOffset);
            await reader.ExpectAsync(NarTokens.Close, cancellationToken).ConfigureAwait(false);
            await visitor.SymlinkAsync(node, target, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            NarReader.Fail(typeOffset, $"unknown node type {NarReader.Describe(type.Span)}");
        }
        return false;
    }

    private static async ValueTask ParseRegularAsync(NarReader reader, NarNode node, INarVisitor visitor, CancellationToken cancellationToken)
    {
        var executable = false;
        var tokenOffset = reader.Offset;
        var token = await reader.ReadStringAsync(NarTokens.MaxTokenLength, "keyword", cancellationToken).ConfigureAwait(false);
        if (token.Span.SequenceEqual(NarTokens.Executable))
        {
            executable = true;
            var markerOffset = reader.Offset;
            var marker = await reader.ReadStringAsync(NarTokens.MaxTokenLength, "executable marker", cancellationToken).ConfigureAwait(false);
            if (!marker.IsEmpty)
            {
                NarReader.Fail(markerOffset, $"'executable' must be followed by an empty string, found {NarReader.Describe(marker.Span)}");
            }
            tokenOffset = reader.Offset;
            token = await reader.ReadStringAsync(NarTokens.MaxTokenLength, "keyword", cancellationToken).ConfigureAwait(false);
        }
        if (!token.Span.SequenceEqual(NarTokens.Contents))
        {
            NarReader.Fail(tokenOffset, $"expected 'contents' in regular file, found {NarReader.Describe(token.Span)}");
        }

        var sizeOffset = reader.Offset;
        var size = await reader.ReadU64Async(cancellationToken).ConfigureAwait(false);
        if (size > long.MaxValue)
        {
            NarReader.Fail(sizeOffset, $"file size {size} is too large");
        }
        var contents = new NarContentStream(reader, (long)size);
        await visitor.FileAsync(node, new NarFile(executable, (long)size, reader.Offset, contents), cancellationToken).ConfigureAwait(false);
        await contents.SkipRestAsync(cancellationToken).ConfigureAwait(false);
        await reader.ReadPaddingAsync((long)size, cancellationToken).ConfigureAwait(false);
        await reader.ExpectAsync(NarTokens.Close, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reads <c>( name NAME node</c> of a directory entry and returns the node it introduces.</summary>
    private static async ValueTask<NarNode> ParseEntryHeaderAsync(NarReader reader, DirectoryFrame frame, CancellationToken cancellationToken)
    {
        await reader.ExpectAsync(NarTokens.Open, cancellationToken).ConfigureAwait(false);
        await reader.ExpectAsync(NarTokens.Name, cancellationToken).ConfigureAwait(false);
        var nameOffset = reader.Offset;
        var nameBytes = await reader.ReadStringAsync(NarTokens.MaxNameLength, "entry name", cancellationToken).ConfigureAwait(false);
        var name = ValidateName(nameBytes.Span, nameOffset);
        if (frame.PreviousName is { } previous)
        {
            var order = nameBytes.Span.SequenceCompareTo(previous);
            if (order == 0)
            {
                NarReader.Fail(nameOffset, $"duplicate entry name {NarReader.Describe(nameBytes.Span)}");
            }
            if (order < 0)
            {
                NarReader.Fail(nameOffset, $"entry {NarReader.Describe(nameBytes.Span)} is not sorted after {NarReader.Describe(previous)}");
            }
        }
        frame.PreviousName = nameBytes.ToArray();
        await reader.ExpectAsync(NarTokens.Node, cancellationToken).ConfigureAwait(false);
        var parent = frame.Node;
        var path = parent.IsRoot ? name : string.Concat(parent.Path, "/", name);
        return new NarNode(path, name, parent.Depth + 1, reader.Offset);
    }

    private static string ValidateName(ReadOnlySpan<byte> name, long offset)
    {
        if (name.IsEmpty)
        {
            NarReader.Fail(offset, "entry name is empty");
        }
        if (name.SequenceEqual("."u8) || name.SequenceEqual(".."u8))
        {
            NarReader.Fail(offset, $"entry name {NarReader.Describe(name)} is not allowed");
        }
        if (name.IndexOf((byte)'/') >= 0)
        {
            NarReader.Fail(offset, $"entry name {NarReader.Describe(name)} contains '/'");
        }
        if (name.IndexOf((byte)0) >= 0)
        {
            NarReader.Fail(offset, $"entry name {NarReader.Describe(name)} contains a NUL byte");
        }
        return Decode(name, offset, "entry name");
    }

    private static string DecodeTarget(ReadOnlySpan<byte> target, long offset)
    {
        if (target.IsEmpty)
        {
            NarReader.Fail(offset, "symlink target is empty");
        }
        if (target.IndexOf((byte)0) >= 0)
        {
            NarReader.Fail(offset, $"symlink target {NarReader.Describe(target)} contains a NUL byte");
        }
        return Decode(target, offset, "symlink target");
    }

    private static string Decode(ReadOnlySpan<byte> bytes, long offset, string what)
    {
        try
        {
            return StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            NarReader.Fail(offset, $"{what} {NarReader.Describe(bytes)} is not valid UTF-8");
            return "";
        }
    }

    private sealed class DirectoryFrame(NarNode node)
    {
        public NarNode Node { get; } = node;

        public byte[]? PreviousName { get; set; }
    }
}
