using Larder.Nix.Nar;

namespace Larder.Fuzz.Targets;

/// <summary>
/// <see cref="NarRestorer"/> into a fresh directory. Nothing may appear beside the target; a refused archive (malformed,
/// or with names too long for the file system) leaves nothing behind; an accepted one restores to a tree whose own NAR
/// is the archive (same NarHash and NarSize).
/// </summary>
internal sealed class NarRestoreTarget : IFuzzTarget
{
    // <temp>/larder-fuzz-restore-PID/workspace/out: "out" is the restore target, and nothing else may ever exist
    // in workspace, nor anything but workspace in its parent.
    private readonly string _sandbox = Path.Combine(Path.GetTempPath(), $"larder-fuzz-restore-{Environment.ProcessId}");

    public string Name => "nar-restore";

    public string Covers => "NarRestorer over any bytes: no write outside the target, cleanup of refused archives, restore/dump round trip";

    public void Run(byte[] input)
    {
        var workspace = Path.Combine(_sandbox, "workspace");
        var target = Path.Combine(workspace, "out");
        Directory.CreateDirectory(workspace);
        try
        {
            NarHashResult restored;
            try
            {
                restored = NarRestorer.RestoreAsync(new MemoryStream(input, writable: false), target).GetAwaiter().GetResult();
            }
            catch (Exception e) when (e is NarFormatException or PathTooLongException)
            {
                CheckSandbox(workspace, expectTarget: false);
                return;
            }
            CheckSandbox(workspace, expectTarget: true);
            var dumped = NarHashing.HashPathAsync(target).GetAwaiter().GetResult();
            FuzzFindingException.Check(dumped == restored,
                $"the restored tree dumps to {dumped.NarHash} ({dumped.NarSize} bytes), not the archive's {restored.NarHash} ({restored.NarSize} bytes)");
        }
        finally
        {
            Remove(target);
        }
    }

    private void CheckSandbox(string workspace, bool expectTarget)
    {
        var beside = Directory.EnumerateFileSystemEntries(_sandbox).Select(Path.GetFileName).ToList();
        FuzzFindingException.Check(beside is ["workspace"], $"the restore wrote outside its directory: {string.Join(", ", beside)}");
        var inside = Directory.EnumerateFileSystemEntries(workspace).Select(Path.GetFileName).ToList();
        FuzzFindingException.Check(
            expectTarget ? inside is ["out"] : inside.Count == 0,
            expectTarget ? $"the restore wrote beside its target: {string.Join(", ", inside)}" : $"a refused archive left {string.Join(", ", inside)} behind");
    }

    /// <summary>Removes whatever the restore made, never following a symlink (the root may be one, pointing anywhere).</summary>
    private static void Remove(string target)
    {
        var info = new FileInfo(target);
        if (info.LinkTarget is not null)
        {
            info.Delete();
        }
        else if (Directory.Exists(target))
        {
            // Recursive deletion removes symlinks inside without following them.
            Directory.Delete(target, recursive: true);
        }
        else if (File.Exists(target))
        {
            File.Delete(target);
        }
    }
}
