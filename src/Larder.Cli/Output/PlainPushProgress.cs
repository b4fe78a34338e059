namespace Larder.Cli.Output;

/// <summary>Progress as plain lines on a writer (stderr when not a terminal): <c>pushing /nix/store/… (1.2 MiB)</c>.</summary>
public sealed class PlainPushProgress(TextWriter writer) : IPushProgress
{
    private readonly Lock _lock = new();

    public void Begin(int paths, long bytes) => Write($"pushing {Counted.Paths(paths)} ({ByteSize.Format(bytes)})");

    public void PathStarted(string storePath, long narSize) => Write($"pushing {storePath} ({ByteSize.Format(narSize)})");

    public void BytesSent(long bytes)
    {
    }

    public void BytesDeduplicated(long bytes)
    {
    }

    public void PathDone(string storePath)
    {
    }

    public void PathFailed(string storePath, string reason) => Write($"failed {storePath}: {reason}");

    public void Note(string message) => Write(message);

    private void Write(string line)
    {
        lock (_lock)
        {
            writer.WriteLine(line);
        }
    }
}
