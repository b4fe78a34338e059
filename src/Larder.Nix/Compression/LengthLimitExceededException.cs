namespace Larder.Nix.Compression;

/// <summary>
/// A <see cref="LengthLimitedStream"/> produced more bytes than allowed, e.g. a decompression bomb.
/// </summary>
public sealed class LengthLimitExceededException : IOException
{
    public LengthLimitExceededException(long limit)
        : base($"data exceeds the limit of {limit} bytes")
    {
        Limit = limit;
    }

    /// <summary>The number of bytes that was allowed.</summary>
    public long Limit { get; }
}
