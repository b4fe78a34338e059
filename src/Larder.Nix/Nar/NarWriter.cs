namespace Larder.Nix.Nar;

/// <summary>
/// Serializes a file, executable, symlink or directory tree as a NAR, byte-identical to <c>nix-store --dump</c>:
/// symlinks are stored, never followed; a regular file is executable when its owner-execute bit is set; directory
/// entries are written in the byte order of their UTF-8 names. Files are streamed through pooled buffers, so memory
/// use does not depend on file sizes.
/// </summary>
public static class NarWriter
{
    /// <summary>Writes the NAR of <paramref name="path"/> to <paramref name="output"/> (which is not flushed or closed).</summary>
    /// <exception cref="IOException">A file cannot be read, changed size while being read, or has an unsupported type
    /// (FIFO, socket, device).</exception>
    public static async Task WriteAsync(string path, Stream output, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(output);
        using var dumper = new NarDumper(output);
        await dumper.DumpAsync(Path.GetFullPath(path), cancellationToken).ConfigureAwait(false);
    }
}
