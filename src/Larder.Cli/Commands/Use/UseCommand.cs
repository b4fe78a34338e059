using System.CommandLine;
using Larder.Cli.Config;
using Larder.Cli.Infrastructure;
using Larder.Cli.Output;

namespace Larder.Cli.Commands.Use;

/// <summary><c>larder use CACHE</c>: configures Nix to substitute from a cache.</summary>
internal static class UseCommand
{
    public static Command Create()
    {
        var cache = new Argument<string>("CACHE") { Description = "The cache: NAME (default server) or SERVER:NAME." };
        var nixConf = new Option<string?>("--nix-conf") { Description = "The nix.conf to edit (default ~/.config/nix/nix.conf, or /etc/nix/nix.conf with --system)." };
        var netrc = new Option<string?>("--netrc") { Description = "The netrc file for a private cache's token (default: the nix.conf's netrc-file, else netrc next to nix.conf)." };
        var system = new Option<bool>("--system") { Description = "Edit the system-wide /etc/nix/nix.conf (needs root; restart nix-daemon afterwards)." };
        var json = new Option<bool>("--json") { Description = "Print what was done as JSON." };
        var command = new Command("use", """
            Configure Nix to substitute from a cache: adds extra-substituters and extra-trusted-public-keys lines to
            nix.conf and, for a private cache, the token to a netrc file that nix.conf's netrc-file names. Running it
            again changes nothing. Other lines and comments are kept; the previous file is saved as FILE.bak.

            Examples:
              larder use main
              sudo larder use work:ci --system
              larder use main --nix-conf ./nix.conf --netrc ./netrc
            """)
        {
            cache, nixConf, netrc, system, json,
        };
        command.SetHandler(async (parse, ct) =>
        {
            var (target, client) = CliEnvironment.OpenCache(parse.GetRequiredValue(cache));
            using var _ = client;
            var info = await client.GetCacheAsync(target.Cache, ct).ConfigureAwait(false);
            var confPath = Path.GetFullPath(parse.GetValue(nixConf) ?? DefaultNixConf(parse.GetValue(system)));
            var text = File.Exists(confPath) ? await File.ReadAllTextAsync(confPath, ct).ConfigureAwait(false) : "";
            var editor = new NixConfEditor(text);
            editor.EnsureSubstituter(info.SubstituterUrl);
            editor.EnsureTrustedKey(info.PublicKey);
            string? netrcPath = null;
            var changes = new List<string>();
            if (!info.Public)
            {
                var token = target.Server.Token ?? throw new CliException(
                    $"cache '{target.Cache}' is private, but there is no token for server '{target.Server.Name}'",
                    $"log in with a token: larder login {target.Server.Name} {target.Server.BaseUrl} TOKEN");
                netrcPath = Path.GetFullPath(parse.GetValue(netrc) ?? editor.NetrcFile ?? Path.Combine(Path.GetDirectoryName(confPath)!, "netrc"));
                editor.SetNetrcFile(netrcPath);
                var host = new Uri(info.SubstituterUrl).Host;
                var netrcText = File.Exists(netrcPath) ? await File.ReadAllTextAsync(netrcPath, ct).ConfigureAwait(false) : "";
                var (newNetrc, changed) = NetrcEditor.SetMachine(netrcText, host, "larder", token);
                if (changed)
                {
                    AtomicFile.Replace(netrcPath, newNetrc, UnixFileMode.UserRead | UnixFileMode.UserWrite);
                    changes.Add($"{netrcPath}: set the token for {host}");
                }
            }
            if (editor.Changes.Count > 0)
            {
                AtomicFile.Replace(confPath, editor.Text,
                    UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
                changes.InsertRange(0, editor.Changes.Select(c => $"{confPath}: {c}"));
            }
            if (parse.GetValue(json))
            {
                JsonOutput.Write(new UseResult(target.Cache, info.SubstituterUrl, info.PublicKey, confPath, netrcPath, changes), CliJsonContext.Default.UseResult);
            }
            else if (changes.Count == 0)
            {
                Console.Out.WriteLine($"nothing to change: {confPath} already uses cache '{target.Cache}' ({info.SubstituterUrl})");
            }
            else
            {
                foreach (var change in changes)
                {
                    Console.Out.WriteLine(change);
                }
                if (parse.GetValue(system))
                {
                    Console.Out.WriteLine("restart nix-daemon for the change to take effect");
                }
            }
            return 0;
        });
        return command;
    }

    private static string DefaultNixConf(bool system)
    {
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
}
