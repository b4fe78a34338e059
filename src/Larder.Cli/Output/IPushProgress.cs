namespace Larder.Cli.Output;

/// <summary>Receives push progress; implementations must be thread-safe (uploads run in parallel).</summary>
public interface IPushProgress
{
    /// <summary>The uploads are about to start: <paramref name="paths"/> paths of <paramref name="bytes"/> NAR bytes in all.</summary>
    void Begin(int paths, long bytes);

    /// <summary>An upload of <paramref name="storePath"/> (NAR of <paramref name="narSize"/> bytes) starts.</summary>
    void PathStarted(string storePath, long narSize);

    /// <summary><paramref name="bytes"/> more NAR bytes were sent (may be called very often).</summary>
    void BytesSent(long bytes);

    /// <summary>
    /// <paramref name="bytes"/> more NAR bytes need not be sent: the server already holds those chunks. Together with
    /// <see cref="BytesSent"/> they add up to the NAR bytes pushed.
    /// </summary>
    void BytesDeduplicated(long bytes);

    /// <summary>The path is now in the cache.</summary>
    void PathDone(string storePath);

    /// <summary>The path failed for good (after retries), or was not attempted because a reference failed.</summary>
    void PathFailed(string storePath, string reason);

    /// <summary>An informational line (skipped paths, retries).</summary>
    void Note(string message);
}
