namespace Larder.Server.Configuration;

/// <summary>
/// The data directory holds every cache's signing key (in the SQLite database) and private caches' blobs, so it is
/// created readable by the server's user only (0700), the SQLite database file 0600 (SQLite gives its WAL and shared
/// memory files the database file's mode). What already exists is not changed, but anything that other users can
/// reach is reported at start-up with the command that fixes it.
/// </summary>
public static class DataDirectoryPermissions
{
    private const UnixFileMode PrivateDirectory = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode PrivateFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode GroupOrOther =
        UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
        | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    /// <summary>
    /// Creates <paramref name="path"/> with mode 0700 if it does not exist (missing parents get the default mode); an
    /// existing directory keeps its mode. Used for the data directory and every folder the server keeps data in.
    /// </summary>
    public static void CreateDirectory(string path) => Directory.CreateDirectory(path, PrivateDirectory);

    /// <summary>Creates an empty SQLite database file with mode 0600 if none exists, before SQLite opens it.</summary>
    public static void CreateDatabaseFile(string path)
    {
        if (File.Exists(path))
        {
            return;
        }
        try
        {
            using var file = new FileStream(path, new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                UnixCreateMode = PrivateFile,
            });
        }
        catch (IOException) when (File.Exists(path))
        {
            // Another replica or process created it first.
        }
    }

    /// <summary>
    /// Warnings for the data directory and its direct entries (and <paramref name="otherPaths"/>, e.g. a blob folder
    /// kept elsewhere) that users other than the owner can read, write or enter.
    /// </summary>
    public static IReadOnlyList<string> FindExposed(string dataDir, params IEnumerable<string> otherPaths)
    {
        var warnings = new List<string>();
        if (!Directory.Exists(dataDir))
        {
            return warnings;
        }
        var paths = new[] { dataDir }
            .Concat(Directory.EnumerateFileSystemEntries(dataDir).Order(StringComparer.Ordinal))
            .Concat(otherPaths.Where(p => Path.Exists(p)));
        foreach (var path in paths.Distinct(StringComparer.Ordinal))
        {
            var mode = File.GetUnixFileMode(path);
            if ((mode & GroupOrOther) != 0)
            {
                var octal = Convert.ToString((int)mode, 8).PadLeft(4, '0');
                warnings.Add(
                    $"'{path}' is accessible to other users (mode {octal}); the data directory holds the caches' signing keys: " +
                    $"run 'chmod -R go= {path}'");
            }
        }
        return warnings;
    }
}
