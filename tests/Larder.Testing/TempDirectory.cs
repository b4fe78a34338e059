namespace Larder.Testing;

/// <summary>A fresh directory under the system temp folder, deleted (best effort) on dispose.</summary>
public sealed class TempDirectory : IDisposable
{
    public TempDirectory(string prefix = "larder-test")
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"{prefix}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public override string ToString() => Path;

    public void Dispose()
    {
        try
        {
            MakeWritable(new DirectoryInfo(Path));
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
        catch (ArgumentException)
        {
            // .NET cannot name a file whose name is not valid UTF-8; leave such a tree for the OS's temp cleanup.
        }
    }

    // Nix makes store contents read-only; restored or substituted trees must be made writable to be deleted.
    private static void MakeWritable(DirectoryInfo directory)
    {
        if (!directory.Exists)
        {
            return;
        }
        foreach (var info in directory.EnumerateFileSystemInfos("*", SearchOption.AllDirectories).Prepend(directory))
        {
            if (info.LinkTarget is not null)
            {
                continue;
            }
            var mode = info.UnixFileMode | UnixFileMode.UserWrite | UnixFileMode.UserRead;
            if (info is DirectoryInfo)
            {
                mode |= UnixFileMode.UserExecute;
            }
            File.SetUnixFileMode(info.FullName, mode);
        }
    }
}
