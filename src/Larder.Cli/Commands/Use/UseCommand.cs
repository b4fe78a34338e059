using System.CommandLine;
using Larder.Cli.Client;
using Larder.Cli.Config;
using Larder.Cli.Infrastructure;
using Larder.Cli.Output;

namespace Larder.Cli.Commands.Use;

/// <summary><c>larder use CACHE</c>: configures Nix to substitute from a cache.</summary>
internal static class UseCommand
{
    public static Command Create()
    {
        var arguments = new UseArguments();
        var token = new Option<string?>("--token") { Description = "A read-only token to write into netrc, e.g. one that reads several private caches of this server." };
        var tokenStdin = new Option<bool>("--token-stdin") { Description = "Read that token from stdin." };
        var force = new Option<bool>("--force") { Description = "Replace a different token already in netrc for this host." };
        var command = new Command("use", """
            Configure Nix to substitute from a cache: adds extra-substituters and extra-trusted-public-keys lines to
            nix.conf. For a private cache it also writes a read-only token for the cache into the netrc file that
            nix.conf's netrc-file names: the login token if it is read-only, else a new read-only token created with it
            (never a token that can write). Netrc holds one password per host, so a different token already there for
            the host is only replaced with --force; for several private caches of one server, give one token that reads
            them all with --token-stdin. Running it again changes nothing. Other lines and comments are kept; the
            previous file is saved as FILE.bak. With a Nix daemon, a user's nix.conf counts only for trusted-users:
            use --system otherwise.

            Examples:
              larder use main
              sudo larder use work:ci --system
              larder use main --nix-conf ./nix.conf --netrc ./netrc
              larder token create -d nix -p read -c ci -c release | larder use work:ci --token-stdin --force
            """);
        arguments.AddTo(command);
        command.Options.Add(token);
        command.Options.Add(tokenStdin);
        command.Options.Add(force);
        command.SetHandler(async (parse, ct) =>
        {
            var given = await SecretInput.ReadAsync(parse.GetValue(token), parse.GetValue(tokenStdin), "--token-stdin", ct).ConfigureAwait(false);
            var target = CliEnvironment.Resolver().ResolveCache(parse.GetRequiredValue(arguments.Cache));
            var server = target.Server.Token is null && given is not null ? target.Server with { Token = given } : target.Server;
            using var client = new LarderClient(server);
            var info = await client.GetCacheAsync(target.Cache, ct).ConfigureAwait(false);
            var confPath = NixConfFiles.NixConf(parse.GetValue(arguments.NixConf), parse.GetValue(arguments.System));
            var editor = new NixConfEditor(await NixConfFiles.ReadAsync(confPath, ct).ConfigureAwait(false));
            editor.EnsureSubstituter(info.SubstituterUrl);
            editor.EnsureTrustedKey(info.PublicKey);
            string? netrcPath = null;
            var changes = new List<string>();
            if (!info.Public)
            {
                netrcPath = NixConfFiles.Netrc(parse.GetValue(arguments.Netrc), editor, confPath);
                editor.SetNetrcFile(netrcPath);
                var host = new Uri(info.SubstituterUrl).Host;
                var netrcText = await NixConfFiles.ReadAsync(netrcPath, ct).ConfigureAwait(false);
                var existing = NetrcEditor.GetMachine(netrcText, host)?.Password;
                var (secret, change) = await new CacheReadToken(server, target.Cache, host)
                    .ChooseAsync(existing, given, parse.GetValue(force), ct).ConfigureAwait(false);
                var (newNetrc, changed) = NetrcEditor.SetMachine(netrcText, host, "larder", secret);
                if (changed)
                {
                    NixConfFiles.WriteNetrc(netrcPath, newNetrc);
                    changes.Add($"{netrcPath}: {change}");
                }
            }
            if (editor.Changes.Count > 0)
            {
                NixConfFiles.WriteNixConf(confPath, editor.Text);
                changes.InsertRange(0, editor.Changes.Select(c => $"{confPath}: {c}"));
            }
            var warning = parse.GetValue(arguments.System) ? null : NixDaemonCheck.Warning(parse.GetRequiredValue(arguments.Cache), Environment.GetEnvironmentVariable);
            if (warning is not null)
            {
                Console.Error.WriteLine($"warning: {warning}");
            }
            if (parse.GetValue(arguments.Json))
            {
                JsonOutput.Write(new UseResult(target.Cache, info.SubstituterUrl, info.PublicKey, confPath, netrcPath, changes, warning), CliJsonContext.Default.UseResult);
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
                if (parse.GetValue(arguments.System))
                {
                    Console.Out.WriteLine("restart nix-daemon for the change to take effect");
                }
            }
            return 0;
        });
        return command;
    }
}
