using Larder.Cli.Config;

namespace Larder.Cli.Commands.Use;

/// <summary>The files <c>larder use</c> and <c>larder unuse</c> edit, and how they write them.</summary>
internal static class NixConfFiles
{
    private const UnixFileMode NixConfMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    /// <summary><c>--nix-conf</c>, else <c>/etc/nix/nix.conf</c> with <c>--system</c>, else the user's nix.conf.</summary>
    public static string NixConf(string? option, bool system)
    {
        if (option is not null)
        {
            return Path.GetFullPath(option);
        }
        if (system)
        {
            return "/etc/nix/nix.conf";
        }
        var configHome = Environment.GetEnvironmentVariable("XDG_CONFIG_HOME");
        if (string.IsNullOrEmpty(configHome))
        {
            configHome = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".config");
        }
        return Path.Combine(configHome, "nix", "nix.conf");
    }

    /// <summary><c>--netrc</c>, else the nix.conf's <c>netrc-file</c>, else <c>netrc</c> next to nix.conf.</summary>
    public static string Netrc(string? option, NixConfEditor editor, string nixConf) =>
        Path.GetFullPath(option ?? editor.NetrcFile ?? Path.Combine(Path.GetDirectoryName(nixConf)!, "netrc"));

    /// <summary>The file's text, or empty when it does not exist.</summary>
    public static async Task<string> ReadAsync(string path, CancellationToken ct) =>
        File.Exists(path) ? await File.ReadAllTextAsync(path, ct).ConfigureAwait(false) : "";

    /// <summary>Writes nix.conf (world-readable, as Nix expects) atomically, keeping FILE.bak.</summary>
    public static void WriteNixConf(string path, string text) => AtomicFile.Replace(path, text, NixConfMode);

    /// <summary>Writes netrc (owner-only: it holds tokens) atomically, keeping FILE.bak.</summary>
    public static void WriteNetrc(string path, string text) => AtomicFile.Replace(path, text, UnixFileMode.UserRead | UnixFileMode.UserWrite);
}
