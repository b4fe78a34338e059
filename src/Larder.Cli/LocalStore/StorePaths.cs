using Larder.Cli.Infrastructure;

namespace Larder.Cli.LocalStore;

/// <summary>Resolves user-supplied paths (symlinks such as <c>./result</c>, files inside a path) to store paths.</summary>
public static class StorePaths
{
    /// <summary>The Nix store directory: <c>$NIX_STORE_DIR</c>, else <c>/nix/store</c>.</summary>
    public static string StoreDir =>
        Environment.GetEnvironmentVariable("NIX_STORE_DIR") is { Length: > 0 } dir ? dir.TrimEnd('/') : "/nix/store";

    /// <summary>The 32-character hash part of a full store path.</summary>
    public static string HashPartOf(string storePath)
    {
        var baseName = storePath[(storePath.LastIndexOf('/') + 1)..];
        return baseName.Length >= 32 ? baseName[..32] : baseName;
    }

    /// <summary>The base name (<c>hash-name</c>) of a full store path.</summary>
    public static string BaseNameOf(string storePath) => storePath[(storePath.LastIndexOf('/') + 1)..];

    /// <summary>
    /// Follows symlinks until the path is inside the store, then returns the top-level store path it belongs to.
    /// Throws <see cref="CliException"/> naming the argument when it leads outside the store or does not exist.
    /// </summary>
    public static string Resolve(string argument)
    {
        var storeDir = StoreDir;
        var current = Path.GetFullPath(argument);
        for (var hops = 0; hops < 40; hops++)
        {
            if (IsInStore(current, storeDir))
            {
                return TopLevel(current, storeDir);
            }
            FileSystemInfo info = Directory.Exists(current) ? new DirectoryInfo(current) : new FileInfo(current);
            if (!info.Exists)
            {
                throw new CliException($"'{argument}' does not exist");
            }
            if (info.LinkTarget is null)
            {
                throw new CliException($"'{argument}' is not in the Nix store ({storeDir})", "pass a store path or a symlink to one, such as ./result");
            }
            current = Path.GetFullPath(info.LinkTarget, Path.GetDirectoryName(current)!);
        }
        throw new CliException($"'{argument}': too many levels of symbolic links");
    }

    private static bool IsInStore(string path, string storeDir) =>
        path.Length > storeDir.Length + 1 && path.StartsWith(storeDir + "/", StringComparison.Ordinal);

    private static string TopLevel(string path, string storeDir)
    {
        var rest = path[(storeDir.Length + 1)..];
        var slash = rest.IndexOf('/');
        var baseName = slash < 0 ? rest : rest[..slash];
        if (baseName.Length < 34 || baseName[32] != '-')
        {
            throw new CliException($"'{path}' is not a valid store path name");
        }
        return storeDir + "/" + baseName;
    }
}
