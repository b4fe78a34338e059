namespace Larder.Nix.Nar;

/// <summary>
/// A NAR archive is malformed. <see cref="Offset"/> is the byte offset in the archive where the problem was found
/// (for a bad string: where its length prefix starts) and <see cref="Reason"/> says what is wrong.
/// </summary>
public sealed class NarFormatException : Exception
{
    public NarFormatException(long offset, string reason)
        : base($"invalid NAR at byte {offset}: {reason}")
    {
        Offset = offset;
        Reason = reason;
    }

    /// <summary>Byte offset in the archive at which the problem was detected.</summary>
    public long Offset { get; }

    /// <summary>What is wrong, without the offset.</summary>
    public string Reason { get; }
}
