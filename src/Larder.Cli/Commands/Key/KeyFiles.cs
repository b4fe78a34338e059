using System.Text;
using Larder.Cli.Infrastructure;
using Larder.Nix.Signing;

namespace Larder.Cli.Commands.Key;

/// <summary>Reading and writing key files the way Nix does: <c>name:base64</c>, no trailing newline.</summary>
internal static class KeyFiles
{
    private const UnixFileMode SecretMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private const UnixFileMode PublicMode =
        UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    /// <summary>Reads and parses a secret key file; every problem becomes a <see cref="CliException"/> naming the file.</summary>
    public static async Task<SecretKey> ReadSecretKeyAsync(string path, CancellationToken cancellationToken)
    {
        if (Directory.Exists(path))
        {
            throw new CliException($"'{path}' is a directory, not a secret key file");
        }
        if (!File.Exists(path))
        {
            throw new CliException($"no such secret key file: '{path}'", "make one with: larder key generate NAME SECRET_FILE PUBLIC_FILE");
        }
        string text = await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false);
        try
        {
            return SecretKey.Parse(text);
        }
        catch (KeyFormatException e)
        {
            throw new CliException($"'{path}' is not a valid secret key file: {e.Message}",
                "a secret key file holds 'name:base64' of 64 bytes, as written by larder key generate or nix-store --generate-binary-cache-key");
        }
    }

    /// <summary>Fails unless <paramref name="path"/> can be created (or, with <paramref name="force"/>, replaced).</summary>
    public static void CheckWritable(string path, bool force)
    {
        if (Directory.Exists(path))
        {
            throw new CliException($"'{path}' is a directory");
        }
        if (File.Exists(path) && !force)
        {
            throw new CliException($"'{path}' already exists", "use --force to overwrite it");
        }
        string directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        if (!Directory.Exists(directory))
        {
            throw new CliException($"cannot write '{path}': directory '{directory}' does not exist");
        }
    }

    /// <summary>Writes a secret key file with mode 0600 (never readable by others, not even briefly).</summary>
    public static Task WriteSecretAsync(string path, SecretKey key, CancellationToken cancellationToken) =>
        WriteAtomicallyAsync(path, key.ToString(), SecretMode, cancellationToken);

    /// <summary>Writes a public key file with mode 0644.</summary>
    public static Task WritePublicAsync(string path, PublicKey key, CancellationToken cancellationToken) =>
        WriteAtomicallyAsync(path, key.ToString(), PublicMode, cancellationToken);

    // A temporary file created with the final mode, then renamed over the target: no window with wider permissions
    // and no half-written key file if interrupted.
    private static async Task WriteAtomicallyAsync(string path, string content, UnixFileMode mode, CancellationToken cancellationToken)
    {
        string full = Path.GetFullPath(path);
        string temp = Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = mode };
            await using (var stream = new FileStream(temp, options))
            {
                await stream.WriteAsync(Encoding.UTF8.GetBytes(content), cancellationToken).ConfigureAwait(false);
                await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
            }
            // UnixCreateMode is filtered by the umask; set the exact mode.
            File.SetUnixFileMode(temp, mode);
            File.Move(temp, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp))
            {
                File.Delete(temp);
            }
        }
    }
}
