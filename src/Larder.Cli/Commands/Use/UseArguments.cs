using System.CommandLine;

namespace Larder.Cli.Commands.Use;

/// <summary>The arguments <c>larder use</c> and <c>larder unuse</c> share: the cache and the files they edit.</summary>
internal sealed class UseArguments
{
    public Argument<string> Cache { get; } = new("CACHE") { Description = "The cache: NAME (default server) or SERVER:NAME." };

    public Option<string?> NixConf { get; } = new("--nix-conf")
    {
        Description = "The nix.conf to edit (default ~/.config/nix/nix.conf, or /etc/nix/nix.conf with --system).",
    };

    public Option<string?> Netrc { get; } = new("--netrc")
    {
        Description = "The netrc file for a private cache's token (default: the nix.conf's netrc-file, else netrc next to nix.conf).",
    };

    public Option<bool> System { get; } = new("--system") { Description = "Edit the system-wide /etc/nix/nix.conf (needs root; restart nix-daemon afterwards)." };

    public Option<bool> Json { get; } = new("--json") { Description = "Print what was done as JSON." };

    /// <summary>Adds the argument and the options to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        command.Arguments.Add(Cache);
        command.Options.Add(NixConf);
        command.Options.Add(Netrc);
        command.Options.Add(System);
        command.Options.Add(Json);
    }
}
