namespace Larder.Nix.Tests.Chunking;

/// <summary>A memory stream whose reads return at most as many bytes as the next value of a size sequence.</summary>
internal sealed class SlicedReadStream(byte[] data, Func<int> nextReadSize) : MemoryStream(data)
{
    public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Limit(count));

    public override int Read(Span<byte> buffer) => base.Read(buffer[..Limit(buffer.Length)]);

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        base.ReadAsync(buffer[..Limit(buffer.Length)], cancellationToken);

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        base.ReadAsync(buffer, offset, Limit(count), cancellationToken);

    private int Limit(int count) => Math.Min(count, nextReadSize());
}
