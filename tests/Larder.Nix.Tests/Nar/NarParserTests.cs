using Larder.Nix.Nar;

namespace Larder.Nix.Tests.Nar;

public sealed class NarParserTests
{
    [Fact]
    public async Task Visitor_sees_nodes_in_archive_order_with_paths_and_offsets()
    {
        var recorder = new RecordingVisitor();

        await NarParser.ParseAsync(new MemoryStream(NarFixtures.Nar("mixed")), recorder);

        Assert.Equal("start ", recorder.Events[0]);
        Assert.Contains("start bin", recorder.Events);
        Assert.Contains("file bin/tool x 20 #!/bin/sh\nexec true\n", recorder.Events);
        Assert.Contains("link share/link-absolute -> /nix/store/does-not-exist-anywhere", recorder.Events);
        Assert.Equal("end ", recorder.Events[^1]);
        Assert.True(recorder.Events.IndexOf("start deep/a/b/c/d/e") < recorder.Events.IndexOf("end deep/a/b/c/d/e"));
    }

    [Fact]
    public async Task Contents_not_read_by_the_visitor_are_skipped_and_still_hashed()
    {
        var nar = NarFixtures.Nar("padding");
        var partial = new PartialReader();

        var result = await NarParser.ParseAsync(new MemoryStream(nar), partial);

        Assert.Equal("sha256:" + NarFixtures.NixBase32Hash("padding"), result.NarHash.ToNix32String());
    }

    [Fact]
    public async Task Deep_nesting_parses_without_recursion_limits()
    {
        const int depth = 20_000;
        var parts = new List<object> { "nix-archive-1" };
        for (var i = 0; i < depth; i++)
        {
            parts.AddRange(["(", "type", "directory", "entry", "(", "name", "d", "node"]);
        }
        parts.AddRange(["(", "type", "regular", "contents", "leaf", ")"]);
        for (var i = 0; i < depth; i++)
        {
            parts.AddRange([")", ")"]);
        }
        var listing = new NarListing();

        var result = await NarParser.ParseAsync(new MemoryStream(NarBytes.Of([.. parts])), listing);

        Assert.True(result.NarSize > depth * 100);
        Assert.Contains("{\"type\":\"regular\",\"size\":4,", listing.ToJson());
    }

    [Fact]
    public async Task Parser_reads_input_delivered_one_byte_at_a_time()
    {
        var nar = NarFixtures.Nar("mixed");
        var listing = new NarListing();

        var result = await NarParser.ParseAsync(new TrickleStream(nar), listing);

        Assert.Equal("sha256:" + NarFixtures.NixBase32Hash("mixed"), result.NarHash.ToNix32String());
        Assert.Equal(NarFixtures.Listing("mixed"), listing.Utf8Json.ToArray());
    }

    [Fact]
    public async Task Listing_forwards_events_to_an_inner_visitor()
    {
        var recorder = new RecordingVisitor();
        var listing = new NarListing(recorder);

        await NarParser.ParseAsync(new MemoryStream(NarFixtures.Nar("mixed")), listing);

        Assert.Contains("file share/doc/pkg/README - 7 readme\n", recorder.Events);
        Assert.Equal(NarFixtures.Listing("mixed"), listing.Utf8Json.ToArray());
    }

    [Fact]
    public void Listing_is_unavailable_before_the_archive_is_complete()
    {
        Assert.Throws<InvalidOperationException>(() => new NarListing().ToJson());
    }

    private sealed class RecordingVisitor : INarVisitor
    {
        public List<string> Events { get; } = [];

        public ValueTask DirectoryStartAsync(NarNode node, CancellationToken cancellationToken)
        {
            Events.Add($"start {node.Path}");
            return ValueTask.CompletedTask;
        }

        public ValueTask DirectoryEndAsync(NarNode node, CancellationToken cancellationToken)
        {
            Events.Add($"end {node.Path}");
            return ValueTask.CompletedTask;
        }

        public async ValueTask FileAsync(NarNode node, NarFile file, CancellationToken cancellationToken)
        {
            var contents = new MemoryStream();
            await file.Contents.CopyToAsync(contents, cancellationToken);
            Events.Add($"file {node.Path} {(file.Executable ? "x" : "-")} {file.Size} {System.Text.Encoding.UTF8.GetString(contents.ToArray())}");
        }

        public ValueTask SymlinkAsync(NarNode node, string target, CancellationToken cancellationToken)
        {
            Events.Add($"link {node.Path} -> {target}");
            return ValueTask.CompletedTask;
        }
    }

    /// <summary>Reads only the first byte of every file.</summary>
    private sealed class PartialReader : INarVisitor
    {
        public ValueTask DirectoryStartAsync(NarNode node, CancellationToken cancellationToken) => ValueTask.CompletedTask;
        public ValueTask DirectoryEndAsync(NarNode node, CancellationToken cancellationToken) => ValueTask.CompletedTask;
        public ValueTask SymlinkAsync(NarNode node, string target, CancellationToken cancellationToken) => ValueTask.CompletedTask;

        public async ValueTask FileAsync(NarNode node, NarFile file, CancellationToken cancellationToken)
        {
            var one = new byte[1];
            var n = await file.Contents.ReadAsync(one, cancellationToken);
            Assert.Equal(file.Size == 0 ? 0 : 1, n);
        }
    }

    /// <summary>A stream that returns at most one byte per read.</summary>
    private sealed class TrickleStream(byte[] data) : MemoryStream(data)
    {
        public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(count, 1));
        public override int Read(Span<byte> buffer) => base.Read(buffer[..Math.Min(buffer.Length, 1)]);
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(buffer.Length, 1)], cancellationToken);
        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            base.ReadAsync(buffer, offset, Math.Min(count, 1), cancellationToken);
    }
}
