namespace Larder.Cli.Commands.Use;

/// <summary>
/// Detects a multi-user Nix, where builds and downloads run in the Nix daemon: the daemon takes
/// <c>extra-substituters</c> and <c>netrc-file</c> from a user's own nix.conf only when the user is in
/// <c>trusted-users</c>, so <c>larder use</c> without <c>--system</c> would silently have no effect.
/// </summary>
internal static class NixDaemonCheck
{
    /// <summary>Where a multi-user Nix listens.</summary>
    public const string DaemonSocket = "/nix/var/nix/daemon-socket/socket";

    /// <summary>
    /// A warning for the user when Nix runs through its daemon and the user is not trusted by it; null otherwise.
    /// <paramref name="getEnvironment"/> supplies <c>NIX_REMOTE</c>, <c>NIX_CONF_DIR</c> and <c>USER</c>.
    /// </summary>
    public static string? Warning(string cacheArgument, Func<string, string?> getEnvironment)
    {
        var remote = getEnvironment("NIX_REMOTE");
        var user = Environment.UserName;
        var daemon = remote is "daemon" || remote?.StartsWith("unix://", StringComparison.Ordinal) == true
            || (string.IsNullOrEmpty(remote) && user != "root" && File.Exists(DaemonSocket));
        if (!daemon)
        {
            return null;
        }
        var confDir = getEnvironment("NIX_CONF_DIR") is { Length: > 0 } dir ? dir : "/etc/nix";
        var systemConf = Path.Combine(confDir, "nix.conf");
        var trusted = TrustedUsers(systemConf);
        if (trusted.Contains("*") || trusted.Contains(user) || UserGroups(user).Any(g => trusted.Contains("@" + g)))
        {
            return null;
        }
        return $"Nix runs through its daemon here, and the daemon ignores substituters and netrc-file from the nix.conf of a user " +
            $"it does not trust: '{user}' is not in trusted-users ({string.Join(" ", trusted)}) of {systemConf}. Either add " +
            $"`trusted-users = root {user}` to {systemConf} and restart nix-daemon, or configure Nix for everyone with " +
            $"`sudo larder use {cacheArgument} --system`";
    }

    /// <summary>The <c>trusted-users</c> (and <c>extra-trusted-users</c>) of a nix.conf; Nix's default is <c>root</c>.</summary>
    private static HashSet<string> TrustedUsers(string systemConf)
    {
        var users = new HashSet<string>(StringComparer.Ordinal) { "root" };
        if (!File.Exists(systemConf))
        {
            return users;
        }
        var editor = new NixConfEditor(File.ReadAllText(systemConf));
        var set = editor.ValuesOf("trusted-users").ToList();
        if (set.Count > 0)
        {
            users.Clear();
            users.UnionWith(set);
        }
        users.UnionWith(editor.ValuesOf("extra-trusted-users"));
        return users;
    }

    /// <summary>The groups listing <paramref name="user"/> as a member in /etc/group.</summary>
    private static IEnumerable<string> UserGroups(string user)
    {
        if (!File.Exists("/etc/group"))
        {
            return [];
        }
        return File.ReadLines("/etc/group")
            .Select(line => line.Split(':'))
            .Where(fields => fields.Length >= 4 && fields[3].Split(',').Contains(user, StringComparer.Ordinal))
            .Select(fields => fields[0]);
    }
}
