using Larder.Testing;

namespace Larder.Server.Tests.Reliability;

/// <summary>
/// A tmpfs of a given size mounted on a fresh folder (needs root, as the Nix peer does), that can be grown while
/// mounted; unmounted and removed on dispose.
/// </summary>
internal sealed class SmallFileSystem : IAsyncDisposable
{
    private readonly TempDirectory _mountPoint = new("larder-small-fs");

    private SmallFileSystem()
    {
    }

    public string Path => _mountPoint.Path;

    public static async Task<SmallFileSystem> MountAsync(int mebibytes)
    {
        var fs = new SmallFileSystem();
        var mount = await ProcessRunner.RunAsync("mount", ["-t", "tmpfs", "-o", $"size={mebibytes}m,mode=0700", "tmpfs", fs.Path]);
        if (mount.ExitCode != 0)
        {
            fs._mountPoint.Dispose();
            throw new InvalidOperationException(
                $"cannot mount a {mebibytes} MiB tmpfs (this test needs root and the right to mount, as in eng/test.sh's container): {mount.Stderr.Trim()}");
        }
        return fs;
    }

    /// <summary>Gives the file system <paramref name="mebibytes"/> in all, as an operator freeing space would.</summary>
    public async Task GrowAsync(int mebibytes) =>
        (await ProcessRunner.RunAsync("mount", ["-o", $"remount,size={mebibytes}m", Path])).EnsureSuccess();

    public async ValueTask DisposeAsync()
    {
        await ProcessRunner.RunAsync("umount", ["--lazy", Path]);
        _mountPoint.Dispose();
    }
}
