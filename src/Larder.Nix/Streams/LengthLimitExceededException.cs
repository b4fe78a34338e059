namespace Larder.Nix.Streams;

/// <summary>
/// A <see cref="BoundedReadStream"/> yielded more bytes than allowed: an oversized body, or a decompression bomb.
/// The message names what was too large.
/// </summary>
public sealed class LengthLimitExceededException : IOException
{
    /// <param name="what">What was read, for the message ("the upload", "the uncompressed NAR").</param>
    /// <param name="limit">The number of bytes that was allowed.</param>
    public LengthLimitExceededException(string what, long limit)
        : base($"{what} is larger than the limit of {limit} bytes")
    {
        What = what;
        Limit = limit;
    }

    /// <summary>What was read.</summary>
    public string What { get; }

    /// <summary>The number of bytes that was allowed.</summary>
    public long Limit { get; }
}
