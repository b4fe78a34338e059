using System.CommandLine;
using Larder.Cli.Client;
using Larder.Cli.Config;
using Larder.Cli.Infrastructure;
using Larder.Cli.Output;

namespace Larder.Cli.Commands.Use;

/// <summary><c>larder unuse CACHE</c>: undoes <c>larder use</c>.</summary>
internal static class UnuseCommand
{
    public static Command Create()
    {
        var arguments = new UseArguments();
        var command = new Command("unuse", """
            Stop substituting from a cache: removes its substituter and public key from nix.conf and, when no other
            substituter of the same host is left, the netrc entry `larder use` wrote for the host (revoking the token if
            `larder use` created it). Other lines are kept; the previous files are saved as FILE.bak.

            Examples:
              larder unuse main
              sudo larder unuse work:ci --system
            """);
        arguments.AddTo(command);
        command.SetHandler(async (parse, ct) =>
        {
            var target = CliEnvironment.Resolver().ResolveCache(parse.GetRequiredValue(arguments.Cache));
            var (url, key) = await DescribeAsync(target, ct).ConfigureAwait(false);
            var confPath = NixConfFiles.NixConf(parse.GetValue(arguments.NixConf), parse.GetValue(arguments.System));
            var editor = new NixConfEditor(await NixConfFiles.ReadAsync(confPath, ct).ConfigureAwait(false));
            editor.RemoveSubstituter(url);
            if (key is not null)
            {
                editor.RemoveTrustedKey(key);
            }
            var changes = editor.Changes.Select(c => $"{confPath}: {c}").ToList();
            if (editor.Changes.Count > 0)
            {
                NixConfFiles.WriteNixConf(confPath, editor.Text);
            }
            var netrcPath = parse.GetValue(arguments.Netrc) is { } explicitNetrc ? Path.GetFullPath(explicitNetrc) : editor.NetrcFile;
            var host = new Uri(url).Host;
            if (netrcPath is not null && File.Exists(netrcPath))
            {
                if (editor.Substituters.Any(s => Uri.TryCreate(s, UriKind.Absolute, out var other) && other.Host == host))
                {
                    changes.Add($"{netrcPath}: kept the token for {host}: other substituters in {confPath} use it");
                }
                else if (await RemoveNetrcEntryAsync(target.Server, netrcPath, host, ct).ConfigureAwait(false) is { } removed)
                {
                    changes.Add($"{netrcPath}: {removed}");
                }
            }
            if (parse.GetValue(arguments.Json))
            {
                JsonOutput.Write(new UseResult(target.Cache, url, key, confPath, netrcPath, changes), CliJsonContext.Default.UseResult);
            }
            else if (changes.Count == 0)
            {
                Console.Out.WriteLine($"nothing to change: {confPath} does not use cache '{target.Cache}' ({url})");
            }
            else
            {
                changes.ForEach(Console.Out.WriteLine);
            }
            return 0;
        });
        return command;
    }

    /// <summary>The cache's substituter URL and key from the server; when it cannot tell (down, cache deleted), the URL alone.</summary>
    private static async Task<(string Url, string? Key)> DescribeAsync(CacheTarget target, CancellationToken ct)
    {
        using var client = new LarderClient(target.Server, maxRetries: 1);
        try
        {
            var info = await client.GetCacheAsync(target.Cache, ct).ConfigureAwait(false);
            return (info.SubstituterUrl, info.PublicKey);
        }
        catch (CliException e)
        {
            Console.Error.WriteLine($"warning: {e.Message}; removing the substituter {target.CacheUrl} but not its key");
            return (target.CacheUrl.ToString(), null);
        }
    }

    /// <summary>
    /// Removes the host's entry if <c>larder use</c> wrote it (login <c>larder</c>), revoking the token when
    /// <c>larder use</c> created it; returns what was done, or null when there was nothing of ours.
    /// </summary>
    private static async Task<string?> RemoveNetrcEntryAsync(ServerTarget server, string netrcPath, string host, CancellationToken ct)
    {
        var text = await NixConfFiles.ReadAsync(netrcPath, ct).ConfigureAwait(false);
        if (NetrcEditor.GetMachine(text, host) is not ("larder", { } token))
        {
            return null;
        }
        NixConfFiles.WriteNetrc(netrcPath, NetrcEditor.RemoveMachine(text, host).Text);
        using var client = new LarderClient(server with { Token = token }, maxRetries: 1);
        try
        {
            var who = await client.WhoAmIAsync(ct).ConfigureAwait(false);
            if (who.Description.StartsWith(CacheReadToken.DescriptionPrefix, StringComparison.Ordinal))
            {
                await client.RevokeTokenAsync(who.Id, ct).ConfigureAwait(false);
                return $"removed the token for {host} and revoked it (token {who.Id})";
            }
        }
        catch (CliException)
        {
            // Already revoked, or the server is down: the entry is gone either way.
        }
        return $"removed the token for {host}";
    }
}
