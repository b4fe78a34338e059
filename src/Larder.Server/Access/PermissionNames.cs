using Larder.Server.Metadata;

namespace Larder.Server.Access;

/// <summary>The wire names of <see cref="Permission"/> flags: <c>read</c>, <c>write</c>, <c>delete</c>, <c>admin</c>.</summary>
public static class PermissionNames
{
    private static readonly (string Name, Permission Flag)[] All =
    [
        ("read", Permission.Read),
        ("write", Permission.Write),
        ("delete", Permission.Delete),
        ("admin", Permission.Admin),
    ];

    /// <summary>Parses one name; false for anything else.</summary>
    public static bool TryParse(string? name, out Permission permission)
    {
        foreach (var (candidate, flag) in All)
        {
            if (string.Equals(candidate, name, StringComparison.Ordinal))
            {
                permission = flag;
                return true;
            }
        }
        permission = Permission.None;
        return false;
    }

    /// <summary>The names of the set flags, in a fixed order.</summary>
    public static IReadOnlyList<string> ToNames(Permission permissions) =>
        [.. All.Where(p => permissions.HasFlag(p.Flag)).Select(p => p.Name)];

    /// <summary>Lower-case name of a single flag, for messages.</summary>
    public static string Describe(Permission permission) =>
        string.Join("+", ToNames(permission));
}
