namespace Larder.Cli.Config;

/// <summary>
/// Replaces a file's contents so that readers see either the old or the new text, never a truncated one: writes a
/// temp file next to it, keeps the previous version as <c>FILE.bak</c>, then renames over it.
/// </summary>
internal static class AtomicFile
{
    /// <summary>Writes <paramref name="text"/> to <paramref name="path"/>, creating directories as needed.</summary>
    /// <param name="mode">Permissions of a new file (an existing file keeps its own).</param>
    public static void Replace(string path, string text, UnixFileMode mode)
    {
        var full = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(directory);
        var existed = File.Exists(full);
        if (existed)
        {
            mode = File.GetUnixFileMode(full);
        }
        var temp = Path.Combine(directory, $".{Path.GetFileName(full)}.larder-{Environment.ProcessId}.tmp");
        try
        {
            using (var stream = new FileStream(temp, new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, UnixCreateMode = mode }))
            using (var writer = new StreamWriter(stream))
            {
                writer.Write(text);
                writer.Flush();
                stream.Flush(flushToDisk: true);
            }
            File.SetUnixFileMode(temp, mode);
            if (existed)
            {
                File.Copy(full, full + ".bak", overwrite: true);
            }
            File.Move(temp, full, overwrite: true);
        }
        finally
        {
            File.Delete(temp);
        }
    }
}
